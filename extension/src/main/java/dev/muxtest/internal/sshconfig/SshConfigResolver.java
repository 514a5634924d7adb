package dev.muxtest.internal.sshconfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Resolves an alias of an ssh config to a host and the chain of hosts it is reached through, as
 * OpenSSH would: each {@code ProxyJump} hop is looked up in the same config under its own name,
 * with the same rules ({@code ssh -J a,b target} reaches {@code b} with {@code -J a}, and {@code a}
 * with its own ProxyJump, if any); a user or port given with a hop wins over the hop's config; a
 * loop is refused.
 */
public final class SshConfigResolver {

  private final Path file;
  private final ConfigReader reader;
  private final boolean userConfig;

  private SshConfigResolver(Path file, Path includeBase, boolean userConfig) {
    this.file = file;
    this.reader = new ConfigReader(includeBase);
    this.userConfig = userConfig;
  }

  /**
   * A config given by path. Relative {@code Include} paths are taken from the file's own directory
   * (where {@code ssh -F} would take them from {@code ~/.ssh}): a config kept in a repository
   * includes its neighbours, and nothing reads {@code ~/.ssh} unless the file says {@code ~/}.
   */
  public static SshConfigResolver forFile(Path file) {
    Path absolute = file.toAbsolutePath();
    return new SshConfigResolver(absolute, absolute.getParent(), false);
  }

  /**
   * The user's own {@code ~/.ssh/config} ({@code user.home}), read as OpenSSH reads it: relative
   * {@code Include} paths from {@code ~/.ssh}, the file and every included file refused when others
   * could write it.
   */
  public static SshConfigResolver forUserConfig() {
    Path dir = ConfigPaths.home().resolve(".ssh");
    return new SshConfigResolver(dir.resolve("config"), dir, true);
  }

  /** The config file read. */
  public Path file() {
    return file;
  }

  /**
   * {@code alias} and its jump hosts.
   *
   * @throws IllegalArgumentException naming the file, line and keyword of a bad value, the alias no
   *     Host line matches, a missing setting, or a ProxyJump loop
   */
  public ResolvedHost resolve(String alias) {
    return resolve(alias, null, null, new ArrayList<>());
  }

  /**
   * @param spec how a ProxyJump named this hop (null for the alias itself)
   * @param jumpOverride the hops given before this one on the same ProxyJump line, which replace
   *     this hop's own ProxyJump (null: its own applies)
   * @param path the names being resolved, outermost first, for loops
   */
  private ResolvedHost resolve(
      String name, JumpSpec spec, List<JumpSpec> jumpOverride, List<String> path) {
    String where = "ssh config " + file + ", Host " + Strings.escaped(name);
    if (path.contains(name)) {
      List<String> loop = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
      loop.add(name);
      throw spec.line()
          .error(
              "a loop: "
                  + String.join(" -> ", loop)
                  + " (each reached through the next); a host cannot be reached through itself:"
                  + " leave the jump host out of the pattern (Host * !"
                  + name
                  + ")");
    }
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw new IllegalArgumentException(
          "Cannot read ssh config "
              + file
              + ": "
              + (Files.exists(file) ? "not a readable file" : "no such file"));
    }
    HostOptions options = reader.read(file, name, userConfig);
    if (!options.matchedByHostLine) {
      String names =
          options.namedHosts.isEmpty()
              ? "it names no host"
              : "it names "
                  + options.namedHosts.stream().limit(20).collect(Collectors.joining(", "));
      throw new IllegalArgumentException(
          "ssh config "
              + file
              + ": no Host line matches "
              + Strings.shown(name)
              + (spec == null ? "" : ", named by ProxyJump on " + at(spec.line()))
              + "; check the spelling ("
              + names
              + ")");
    }

    Optional<ConfigLine> hostLine = options.first("hostname");
    String host = hostLine.map(line -> expandHostName(line, name)).orElse(name);

    Optional<ConfigLine> userLine =
        spec != null && spec.user() != null
            ? Optional.of(spec.line())
            : options.first("user").map(ConfigReader::requireOne);
    String user =
        spec != null && spec.user() != null
            ? spec.user()
            : userLine.map(ConfigLine::value).orElse(System.getProperty("user.name"));

    Optional<ConfigLine> portLine =
        spec != null && spec.port() > 0 ? Optional.of(spec.line()) : options.first("port");
    int port = spec != null && spec.port() > 0 ? spec.port() : portLine.map(this::port).orElse(22);

    ConfigLine identityLine = identity(options.identityFiles, where);
    ConfigLine knownHostsLine =
        options
            .first("userknownhostsfile")
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        where
                            + ": UserKnownHostsFile is missing (muxtest reads no default"
                            + " known_hosts)"));
    Path knownHosts = knownHosts(knownHostsLine);
    Optional<ConfigLine> certificateLine = certificate(options.certificateFiles);

    List<JumpSpec> jumps =
        jumpOverride != null
            ? jumpOverride
            : options
                .first("proxyjump")
                .filter(line -> line.lower().equals("proxyjump"))
                .map(JumpSpec::parse)
                .orElse(List.of());
    Optional<ResolvedHost> jumpHost = Optional.empty();
    if (!jumps.isEmpty()) {
      path.add(name);
      JumpSpec last = jumps.get(jumps.size() - 1);
      List<JumpSpec> before = jumps.subList(0, jumps.size() - 1);
      jumpHost = Optional.of(resolve(last.host(), last, before.isEmpty() ? null : before, path));
      path.remove(path.size() - 1);
    }
    return new ResolvedHost(
        name,
        host,
        hostLine,
        port,
        portLine,
        user,
        userLine,
        ConfigPaths.path(identityLine, identityLine.value()),
        identityLine,
        knownHosts,
        knownHostsLine,
        certificateLine.map(line -> ConfigPaths.path(line, line.value())),
        certificateLine,
        jumpHost,
        where);
  }

  /**
   * HostName's tokens, as ssh.c expands them: {@code %h} is the name looked up, {@code %%} is %.
   */
  private static String expandHostName(ConfigLine line, String name) {
    ConfigReader.requireOne(line);
    String value = line.value();
    StringBuilder host = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '%') {
        host.append(c);
        continue;
      }
      char token = i + 1 < value.length() ? value.charAt(++i) : 0;
      if (token == 'h') {
        host.append(name);
      } else if (token == '%') {
        host.append('%');
      } else {
        throw line.error(
            Strings.shown(value)
                + (token == 0 ? " ends with a lone '%'" : " has the token %" + token)
                + "; OpenSSH expands only %h and %% in HostName");
      }
    }
    return host.toString();
  }

  private int port(ConfigLine line) {
    ConfigReader.requireOne(line);
    String value = line.value();
    if (!value.matches("[0-9]{1,5}")
        || Integer.parseInt(value) < 1
        || Integer.parseInt(value) > 65535) {
      throw line.error(Strings.shown(value) + " is not a port number (1 to 65535)");
    }
    return Integer.parseInt(value);
  }

  /**
   * The identity: OpenSSH offers every IdentityFile in turn; an SshHost holds one, so muxtest takes
   * the first that exists (a {@code Host *} default after the host's own key is then left alone).
   */
  private static ConfigLine identity(List<ConfigLine> lines, String where) {
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": IdentityFile is missing (muxtest reads no default keys)");
    }
    for (ConfigLine line : lines) {
      ConfigReader.requireOne(line);
    }
    List<ConfigLine> given =
        lines.stream().filter(l -> !ConfigReader.isNone(l.arguments())).toList();
    for (ConfigLine line : given) {
      if (Files.exists(ConfigPaths.path(line, line.value()))) {
        return line;
      }
    }
    if (given.size() > 1) {
      throw given
          .get(0)
          .error(
              "none of the "
                  + given.size()
                  + " IdentityFile files exists: "
                  + given.stream()
                      .map(l -> Strings.shown(l.value()) + " (" + at(l) + ")")
                      .collect(Collectors.joining(", ")));
    }
    if (given.isEmpty()) {
      throw lines.get(0).error("IdentityFile none: muxtest needs a key (it reads no default keys)");
    }
    return given.get(0); // the caller names it as a file that cannot be read
  }

  /** One known_hosts file: it decides alone which key is accepted. */
  private static Path knownHosts(ConfigLine line) {
    List<String> files = line.arguments();
    if (ConfigReader.isNone(files)) {
      throw line.error(
          "none: muxtest needs the host's key in a known_hosts file (it reads no default"
              + " known_hosts)");
    }
    if (files.size() > 1) {
      throw line.error(
          files.size()
              + " files given ("
              + files.stream().map(Strings::shown).collect(Collectors.joining(", "))
              + "); muxtest takes exactly one known_hosts file, the one holding this host's key");
    }
    return ConfigPaths.path(line, files.get(0));
  }

  /** The certificate: as for the identity, the first CertificateFile that exists. */
  private static Optional<ConfigLine> certificate(List<ConfigLine> lines) {
    List<ConfigLine> given =
        lines.stream().filter(l -> !ConfigReader.isNone(l.arguments())).toList();
    for (ConfigLine line : given) {
      ConfigReader.requireOne(line);
      if (Files.exists(ConfigPaths.path(line, line.value()))) {
        return Optional.of(line);
      }
    }
    return given.stream().findFirst(); // the caller names it as a file that cannot be read
  }

  private static String at(ConfigLine line) {
    return "line " + line.number() + (line.file() == null ? "" : " of " + line.file());
  }
}
