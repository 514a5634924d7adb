package dev.muxtest.internal.openssh;

import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of one OpenSSH master in its private directory: the client key, a known_hosts with the
 * pinned host keys, and the whole client configuration ({@code -F}), so that the user's {@code
 * ~/.ssh} plays no part.
 */
final class OpenSshConfig {

  /** The server's name in the generated config; also the known_hosts alias of its pinned key. */
  static final String HOST_ALIAS = "muxtest-server";

  /**
   * For a server started for the test: curve25519, as the MINA engine negotiates, ahead of OpenSSH
   * 9's default first choice, the post-quantum hybrid sntrup761x25519, whose key generation and
   * decapsulation cost the client about 70 ms of every master's start (measured: 166 ms to 93 ms
   * for {@code ssh -M} against the container). That hybrid guards recorded traffic against a future
   * quantum computer: worth it to a real host, which keeps OpenSSH's defaults, not to a server that
   * lives for one run. The rest of the default list follows, unchanged.
   */
  static final String CLASSIC_KEX_FIRST =
      "  KexAlgorithms ^curve25519-sha256,curve25519-sha256@libssh.org";

  /**
   * The name of a jump host in the generated config and known_hosts: {@code muxtest-jump-1} for the
   * first hop (the one the master connects to), counting towards the server.
   */
  static String jumpAlias(int hop) {
    return "muxtest-jump-" + hop;
  }

  /** The jump hosts in front of {@code server}, from the first hop to the last. */
  static List<ServerEndpoint> jumpHosts(ServerEndpoint server) {
    List<ServerEndpoint> hops = new ArrayList<>();
    for (Optional<ServerEndpoint> hop = server.jumpHost();
        hop.isPresent();
        hop = hop.get().jumpHost()) {
      hops.add(0, hop.get());
    }
    return hops;
  }

  private OpenSshConfig() {}

  /**
   * Writes key, known_hosts and config into {@code directory}; the config's path.
   *
   * @param agentSocket the JVM agent's socket the master uses and forwards, when forwarding an
   *     agent
   */
  static Path write(
      Path directory,
      ServerEndpoint server,
      KeyPair identity,
      Settings settings,
      Path controlPath,
      Optional<Path> agentSocket) {
    // Every path the config names, checked before anything is written.
    List<ServerEndpoint> jumps = jumpHosts(server);
    Stream.concat(Stream.of(server), jumps.stream())
        .flatMap(endpoint -> endpoint.identityFile().stream())
        .forEach(file -> requireUsable("identity file", file));
    Stream.concat(Stream.of(server), jumps.stream())
        .flatMap(endpoint -> endpoint.certificateFile().stream())
        .forEach(file -> requireUsable("certificate file", file));
    Stream.concat(Stream.of(server), jumps.stream())
        .flatMap(
            endpoint -> endpoint.hostKeyPolicy().apply(pinned -> Stream.<Path>empty(), Stream::of))
        .forEach(file -> requireUsable("known_hosts file", file));
    requireUsable("control directory", directory);
    requireUsable("control path", controlPath);
    agentSocket.ifPresent(socket -> requireUsable("agent socket", socket));
    try {
      // A server outside the test: its identity file as given, copied nowhere.
      // A container the test started (and its jump hosts, containers too): the key made for this
      // master. A server outside the test, and each of its hops: its identity file as given,
      // copied nowhere.
      Path generatedKey = directory.resolve("id");
      if (server.identityFile().isEmpty()) {
        PrivateFiles.write(
            directory, "id", KeyMaterial.openSshPrivateKey(identity, "muxtest client key"));
      }
      Path key = server.identityFile().orElse(generatedKey);
      Path knownHosts = directory.resolve("known_hosts");
      StringBuilder pinned = new StringBuilder(pinnedKeyLine(HOST_ALIAS, server));
      for (int hop = 1; hop <= jumps.size(); hop++) {
        pinned.append(pinnedKeyLine(jumpAlias(hop), jumps.get(hop - 1)));
      }
      PrivateFiles.write(
          directory, "known_hosts", pinned.toString().getBytes(StandardCharsets.UTF_8));
      Path config = directory.resolve("config");
      String text =
          configText(
              server,
              key,
              generatedKey,
              knownHosts,
              settings,
              controlPath,
              agentSocket,
              // "^" (algorithms put ahead of the defaults) is OpenSSH 8.2's
              OpenSshVersion.of(settings.sshExecutable(), directory)
                  .map(v -> v.atLeast(8, 2))
                  .orElse(false));
      PrivateFiles.write(directory, "config", text.getBytes(StandardCharsets.UTF_8));
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the OpenSSH files in " + directory, e);
    }
  }

  /** The alias and the pinned key, or nothing for a server checked against its own known_hosts. */
  private static String pinnedKeyLine(String alias, ServerEndpoint server) {
    return server
        .hostKeyPolicy()
        .apply((PublicKey key) -> alias + " " + KeyMaterial.publicKeyLine(key) + "\n", file -> "");
  }

  private static String configText(
      ServerEndpoint server,
      Path key,
      Path generatedKey,
      Path knownHosts,
      Settings settings,
      Path controlPath,
      Optional<Path> agentSocket,
      boolean prependsAlgorithms) {
    List<String> lines =
        new ArrayList<>(
            hostBlock(HOST_ALIAS, server, key, knownHosts, settings, prependsAlgorithms));
    agentSocket.ifPresent(
        socket ->
            // Ahead of the block's "IdentityAgent none": in an ssh config the first value wins.
            lines.addAll(1, List.of("  IdentityAgent " + quoted(socket), "  ForwardAgent yes")));
    lines.addAll(
        List.of(
            "  ControlPath " + quoted(controlPath),
            "  ControlMaster no",
            "  ExitOnForwardFailure yes",
            "  RequestTTY no"));
    // A chain, one block per hop, each naming the hop before it: ProxyJump runs `ssh -F <this
    // file> -W '[host]:port' muxtest-jump-N`, whose own block jumps through N-1, and so on; only
    // the
    // first hop's ssh makes a TCP connection, the master's one. Every hop's ssh reads this file
    // alone, with the hop's own identity file and known_hosts, and its host name resolved by the
    // hop before it.
    List<ServerEndpoint> jumps = jumpHosts(server);
    if (!jumps.isEmpty()) {
      lines.add("  ProxyJump " + jumpAlias(jumps.size()));
    }
    for (int hop = jumps.size(); hop >= 1; hop--) {
      ServerEndpoint jump = jumps.get(hop - 1);
      lines.addAll(
          hostBlock(
              jumpAlias(hop),
              jump,
              jump.identityFile().orElse(generatedKey),
              knownHosts,
              settings,
              prependsAlgorithms));
      // The hop's own ssh must never take the target's control socket.
      lines.add("  ControlPath none");
      if (hop > 1) {
        lines.add("  ProxyJump " + jumpAlias(hop - 1));
      }
    }
    lines.add("");
    return String.join("\n", lines);
  }

  /**
   * A Host block with what every connection of this master needs: key, host key check, bounds; for
   * a server started for the test, MINA's key exchange first.
   */
  private static List<String> hostBlock(
      String alias,
      ServerEndpoint endpoint,
      Path key,
      Path pinnedKeys,
      Settings settings,
      boolean prependsAlgorithms) {
    // The host key is pinned under an alias, whatever host and port Testcontainers reports; a
    // server outside the test is looked up as itself ([host]:port) in its own known_hosts.
    List<String> hostKeyLines =
        endpoint
            .hostKeyPolicy()
            .apply(
                pinned ->
                    List.of(
                        "  HostKeyAlias " + alias, "  UserKnownHostsFile " + quoted(pinnedKeys)),
                file -> List.of("  UserKnownHostsFile " + quoted(file)));
    return Stream.of(
            Stream.of(
                "Host " + alias,
                "  HostName " + endpoint.host(),
                "  Port " + endpoint.port(),
                "  User " + endpoint.user(),
                "  IdentityFile " + quoted(key),
                "  IdentitiesOnly yes",
                // A certificate from the host's ssh config (CertificateFile), offered with the key.
                endpoint.certificateFile().map(c -> "  CertificateFile " + quoted(c)).orElse(""),
                "  IdentityAgent none",
                "  PreferredAuthentications publickey",
                "  PasswordAuthentication no",
                "  KbdInteractiveAuthentication no",
                "  BatchMode yes"),
            hostKeyLines.stream(),
            Stream.of(
                "  GlobalKnownHostsFile /dev/null",
                "  StrictHostKeyChecking yes",
                "  CheckHostIP no",
                "  UpdateHostKeys no",
                endpoint.startedForTheTest() && prependsAlgorithms ? CLASSIC_KEX_FIRST : "",
                "  ServerAliveInterval " + Math.max(1, settings.keepAliveInterval().toSeconds()),
                "  ServerAliveCountMax 2",
                "  ConnectTimeout " + Math.max(1, settings.connectTimeout().toSeconds()),
                "  LogLevel ERROR"))
        .flatMap(s -> s)
        .filter(line -> !line.isEmpty())
        .toList();
  }

  /**
   * Why OpenSSH would not take {@code path} as it is, if it would not: it expands {@code %} tokens
   * and {@code ${VAR}} in the paths of its config and options, and a double quote, a backslash or a
   * control character breaks a quoted argument.
   */
  private static final Pattern ESCAPE = Pattern.compile("\\\\([\\\\\"' ]|$)");

  static Optional<String> whyUnusable(Path path) {
    String text = path.toString();
    if (text.contains("%")) {
      return Optional.of("it contains '%', which OpenSSH expands as a token (%d, %h, ...)");
    }
    if (text.contains("${")) {
      return Optional.of("it contains '${', which OpenSSH expands as an environment variable");
    }
    if (text.contains("\"")) {
      return Optional.of("it contains '\"', which OpenSSH cannot take in a quoted argument");
    }
    if (ESCAPE.matcher(text).find()) {
      // OpenSSH's argument splitting takes \\, \", \' and "\ " as escapes; any other '\' is
      // literal.
      return Optional.of(
          "it contains '\\' before '\\', a quote, a space or the end, which OpenSSH reads as an escape");
    }
    if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Optional.of("it contains a control character");
    }
    return Optional.empty();
  }

  /**
   * {@code path}, if OpenSSH takes it as it is.
   *
   * @throws SshOperationException naming {@code what}, the path and what OpenSSH would do with it
   */
  static Path requireUsable(String what, Path path) {
    whyUnusable(path)
        .ifPresent(
            why -> {
              throw new SshOperationException(
                  String.format(
                      "The OpenSSH engine cannot use the %s %s: %s; choose a path without it",
                      what, path, why));
            });
    return path;
  }

  /** A path as one config argument: OpenSSH's config takes double-quoted arguments. */
  private static String quoted(Path path) {
    return "\"" + path + "\"";
  }

  // The user's own master (UserMaster): one contiguous block.

  /**
   * Writes the config of a master that rides the user's own master on {@code controlSocket}: every
   * ssh run is a multiplexing client of that socket; a fallback to a connection of its own fails (a
   * ProxyCommand that fails, a host name that resolves nowhere); the config's path.
   */
  static Path writeOwnMaster(Path directory, Path controlSocket, String unreachableHost) {
    requireUsable("control directory", directory);
    requireUsable("control socket", controlSocket);
    Path config = directory.resolve("config");
    try {
      PrivateFiles.write(
          directory,
          "config",
          String.join(
                  "\n",
                  "Host " + HOST_ALIAS,
                  "  HostName " + unreachableHost,
                  "  ControlPath " + quoted(controlSocket),
                  "  ControlMaster no",
                  "  ProxyCommand false",
                  "  BatchMode yes",
                  "  IdentitiesOnly yes",
                  "  IdentityAgent none",
                  "  ForwardAgent no",
                  "  ExitOnForwardFailure yes",
                  "  RequestTTY no",
                  "  LogLevel ERROR",
                  "")
              .getBytes(StandardCharsets.UTF_8));
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the OpenSSH config in " + directory, e);
    }
  }
}
