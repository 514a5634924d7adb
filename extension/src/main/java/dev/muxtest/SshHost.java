package dev.muxtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * An SSH server outside the test: a real host, given by address, user, identity file and
 * known_hosts file, or by an alias of an ssh config file. Declare it as the class's server with
 * {@code @SshServer static SshHost server = SshHost.of(...)}.
 *
 * <p>Nothing else is read from {@code ~/.ssh}. The host key must be in the given known_hosts file
 * ({@code [host]:port} for a port other than 22); any other key is refused. The identity file must
 * not be passphrase-protected. Without {@link #withLoginLog} the end-of-class proof can only count
 * the client's TCP connections, and says so.
 */
public final class SshHost {

  /**
   * ssh config keywords that would change where or how to connect, which muxtest does not follow.
   */
  private static final Set<String> UNSUPPORTED =
      Set.of(
          "match",
          "include",
          "proxycommand",
          "proxyjump",
          "hostkeyalias",
          "canonicalizehostname",
          "certificatefile",
          "identityagent",
          "globalknownhostsfile");

  private final String host;
  private final int port;
  private final String user;
  private final Path identityFile;
  private final Path knownHostsFile;
  private final Supplier<String> loginLog;

  private SshHost(
      String host,
      int port,
      String user,
      Path identityFile,
      Path knownHostsFile,
      Supplier<String> loginLog) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.identityFile = identityFile;
    this.knownHostsFile = knownHostsFile;
    this.loginLog = loginLog;
  }

  /**
   * A host by address.
   *
   * @throws IllegalArgumentException for a blank host or user, a port out of range, or a file that
   *     cannot be read
   */
  public static SshHost of(
      String host, int port, String user, Path identityFile, Path knownHostsFile) {
    if (host == null || host.isBlank() || user == null || user.isBlank()) {
      throw new IllegalArgumentException("SshHost: host and user must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "SshHost: port must be between 1 and 65535 but was " + port);
    }
    return new SshHost(
        host,
        port,
        user,
        readable(identityFile, "identity file"),
        readable(knownHostsFile, "known_hosts file"),
        null);
  }

  /**
   * A host by an alias of an ssh config file: its {@code HostName}, {@code Port}, {@code User},
   * {@code IdentityFile} and {@code UserKnownHostsFile} (the last two required). Keywords that
   * would change where or how to connect and that muxtest does not follow ({@code Match}, {@code
   * Include}, {@code ProxyCommand}, {@code ProxyJump}, {@code HostKeyAlias}, ...) are refused
   * wherever they appear in the file, rather than misread. Other keywords are ignored: muxtest sets
   * its own connection options.
   *
   * @throws ExtensionConfigurationException naming the file, line and keyword, or the missing
   *     setting
   */
  public static SshHost fromSshConfig(Path configFile, String alias) {
    List<String> lines;
    try {
      lines = Files.readAllLines(configFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ExtensionConfigurationException(
          "Cannot read ssh config " + configFile + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String keyword = line.split("[\\s=]+", 2)[0].toLowerCase(Locale.ROOT);
      if (!line.startsWith("#") && UNSUPPORTED.contains(keyword)) {
        throw new ExtensionConfigurationException(
            String.format(
                "ssh config %s line %d: '%s' is not supported by muxtest (Apache MINA's config reader, used by both "
                    + "engines, does not follow it the way OpenSSH does); give this host a plain Host block",
                configFile, i + 1, line.split("[\\s=]+", 2)[0]));
      }
    }
    HostConfigEntry entry;
    try {
      entry =
          HostConfigEntry.toHostConfigEntryResolver(
                  HostConfigEntry.readHostConfigEntries(configFile))
              .resolveEffectiveHost(alias, 0, null, null, null, null);
    } catch (IOException e) {
      throw new ExtensionConfigurationException(
          "Cannot read ssh config " + configFile + ": " + e.getMessage(), e);
    }
    String at = "ssh config " + configFile + ", Host " + alias;
    if (entry == null || entry.getIdentities() == null || entry.getIdentities().isEmpty()) {
      throw new ExtensionConfigurationException(
          at + ": IdentityFile is missing (muxtest reads no default keys)");
    }
    if (entry.getIdentities().size() > 1) {
      throw new ExtensionConfigurationException(
          at + ": more than one IdentityFile; muxtest uses exactly one");
    }
    String knownHosts = entry.getProperty("UserKnownHostsFile");
    if (knownHosts == null || knownHosts.isBlank()) {
      throw new ExtensionConfigurationException(
          at + ": UserKnownHostsFile is missing (muxtest reads no default known_hosts)");
    }
    String user =
        entry.getUsername() == null || entry.getUsername().isBlank()
            ? System.getProperty("user.name")
            : entry.getUsername();
    int port = entry.getPort() > 0 ? entry.getPort() : 22;
    return of(
        entry.getHostName(),
        port,
        user,
        Path.of(entry.getIdentities().iterator().next()),
        Path.of(
            knownHosts
                .strip()
                .split("\\s+")[0]
                .replaceFirst("^~", System.getProperty("user.home"))));
  }

  /**
   * The server's log, read at the end of the class, whose {@code Accepted publickey} lines give the
   * server's side of the proof of one connection (for example the output of {@code journalctl -u
   * ssh} fetched by other means).
   */
  public SshHost withLoginLog(Supplier<String> log) {
    return new SshHost(host, port, user, identityFile, knownHostsFile, Objects.requireNonNull(log));
  }

  private static Path readable(Path file, String what) {
    if (file == null || !Files.isReadable(file)) {
      throw new IllegalArgumentException("SshHost: the " + what + " " + file + " cannot be read");
    }
    return file;
  }

  /** Host name or address to connect to. */
  public String host() {
    return host;
  }

  /** SSH port. */
  public int port() {
    return port;
  }

  /** Login user. */
  public String user() {
    return user;
  }

  /** The private key to log in with. */
  public Path identityFile() {
    return identityFile;
  }

  /** The known_hosts file holding the host's key. */
  public Path knownHostsFile() {
    return knownHostsFile;
  }

  /** The server's login log, when given. */
  public Optional<Supplier<String>> loginLog() {
    return Optional.ofNullable(loginLog);
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port;
  }
}
