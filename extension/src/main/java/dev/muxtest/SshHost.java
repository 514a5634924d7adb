package dev.muxtest;

import static dev.muxtest.internal.sshconfig.HostNames.unbracketed;

import dev.muxtest.internal.sshconfig.HostChecks;
import dev.muxtest.internal.sshconfig.ResolvedHost;
import dev.muxtest.internal.sshconfig.SshConfigResolver;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An SSH server outside the test: a real host, given by address, user, identity file and
 * known_hosts file, or by an alias of an ssh config file. Declare it as the class's server with
 * {@code @SshServer static SshHost server = SshHost.of(...)}.
 *
 * <p>Nothing else is read from {@code ~/.ssh}, unless a config file names it or {@link
 * #fromUserSshConfig} is called. The host key must be in the given known_hosts file ({@code
 * [host]:port} for a port other than 22); any other key is refused. Every value is checked here,
 * before anything connects, so that both engines get the same values and none can reach the OpenSSH
 * engine's config as anything but itself (host names or IP addresses, no characters OpenSSH would
 * expand or quote, an identity file readable by its owner only and without a passphrase). Without
 * {@link #withLoginLog} the end-of-class proof can only count the client's TCP connections, and
 * says so.
 */
public final class SshHost implements SshTarget {

  private final String host;
  private final int port;
  private final String user;
  private final Path identityFile;
  private final Path knownHostsFile;
  private final Supplier<String> loginLog;
  private final SshHost jumpHost;
  private final Path certificateFile;

  private SshHost(
      String host,
      int port,
      String user,
      Path identityFile,
      Path knownHostsFile,
      Supplier<String> loginLog,
      SshHost jumpHost,
      Path certificateFile) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.identityFile = identityFile;
    this.knownHostsFile = knownHostsFile;
    this.loginLog = loginLog;
    this.jumpHost = jumpHost;
    this.certificateFile = certificateFile;
  }

  /**
   * A host by address: a host name, an IPv4 address, or an IPv6 address with or without brackets.
   * Relative paths are made absolute here.
   *
   * @throws IllegalArgumentException naming the value and why, for a host that is not a host name
   *     or an IP address, a user name OpenSSH's config would split, expand or cut, a port out of
   *     range, a path OpenSSH would expand or cannot quote, a file that cannot be read, an identity
   *     file open to group or others, or one that is passphrase-protected or holds no key
   */
  public static SshHost of(
      String host, int port, String user, Path identityFile, Path knownHostsFile) {
    Path identity = identityFile == null ? null : identityFile.toAbsolutePath();
    Path knownHosts = knownHostsFile == null ? null : knownHostsFile.toAbsolutePath();
    require("SshHost", HostChecks.addressProblem(host, port, user, identity, knownHosts));
    return new SshHost(unbracketed(host), port, user, identity, knownHosts, null, null, null);
  }

  /**
   * A host by an alias of an ssh config file, read as OpenSSH reads it for the keywords that decide
   * where and how to connect (the file is read here, once; nothing else is read from {@code ~/.ssh}
   * unless the file names it):
   *
   * <ul>
   *   <li>{@code Host} lines with several patterns, {@code *}, {@code ?} and {@code !} (a line
   *       whose {@code !} pattern matches does not apply; one of {@code !} patterns alone matches
   *       nothing), compared with the alias exactly as given (case-sensitive); lines before the
   *       first {@code Host} apply to every host; the first value of a keyword wins across all
   *       blocks that apply, in file order;
   *   <li>{@code Include}, several files and globs, {@code ~/}, at most 16 levels deep, read where
   *       it stands (inside a Host block, within that block); a pattern that names no file is
   *       skipped, as OpenSSH does; a relative path is taken from the directory of {@code
   *       configFile} (where {@code ssh -F} would look in {@code ~/.ssh}); an included file
   *       writable by others is refused, as OpenSSH refuses it;
   *   <li>{@code HostName} ({@code %h} is the alias, {@code %%} is {@code %}; default: the alias),
   *       {@code Port} (default 22), {@code User} (default: the local user);
   *   <li>{@code IdentityFile} (required): OpenSSH offers each in turn, an SshHost holds one, so
   *       the first that exists is taken; {@code UserKnownHostsFile} (required, one file: it alone
   *       decides which host key is accepted); {@code CertificateFile} (optional, the first that
   *       exists; the OpenSSH engine offers it, the MINA engine refuses such a host);
   *   <li>{@code ProxyJump}: {@code none}, or hops separated by commas ({@code alias}, {@code
   *       user@host:port}, {@code [v6]:port}, {@code ssh://user@host:port}), each looked up in the
   *       same file under its own name with the same rules, its user and port given with the hop
   *       winning over its block; the result is chained with {@link #withJumpHost}; a loop, or more
   *       than 32 hops, is refused.
   * </ul>
   *
   * <p>Files are read once each, as OpenSSH reads them (a carriage return inside a line is
   * refused).
   *
   * <p>{@code Match} is refused wherever it is (it can run commands). Keywords that would change
   * where or how to connect and that muxtest does not follow ({@code ProxyCommand} other than
   * {@code none}, {@code HostKeyAlias}, {@code CanonicalizeHostname}, {@code IdentityAgent}, {@code
   * GlobalKnownHostsFile}, {@code KnownHostsCommand}) are refused where they apply to the alias or
   * a hop, rather than misread. Other keywords are ignored: muxtest sets its own connection
   * options. Every value is then checked as by {@link #of}.
   *
   * @throws IllegalArgumentException for a null config file, or a null or blank alias
   * @throws IllegalArgumentException naming the file, line and keyword of a bad value, the alias or
   *     hop no Host line matches, or the missing setting
   */
  public static SshHost fromSshConfig(Path configFile, String alias) {
    String problem = configFile == null ? "the config file is null" : null;
    require("SshHost.fromSshConfig", problem != null ? problem : HostChecks.aliasProblem(alias));
    return fromConfig(SshConfigResolver.forFile(configFile).resolve(alias));
  }

  /**
   * A host by an alias of the user's own {@code ~/.ssh/config} ({@code ~} is the {@code user.home}
   * system property), read only when this is called, as {@link #fromSshConfig} reads a file, and as
   * OpenSSH reads the user's config: relative {@code Include} paths are taken from {@code ~/.ssh},
   * and the file and every included file are refused when others could write them.
   *
   * @throws IllegalArgumentException for a null or blank alias, as {@link #fromSshConfig}, and for
   *     a missing config
   */
  public static SshHost fromUserSshConfig(String alias) {
    require("SshHost.fromUserSshConfig", HostChecks.aliasProblem(alias));
    return fromConfig(SshConfigResolver.forUserConfig().resolve(alias));
  }

  /** A host read from a config, its values checked as by {@link #of}. */
  private static SshHost fromConfig(ResolvedHost resolved) {
    resolved.check();
    SshHost host =
        new SshHost(
            unbracketed(resolved.host()),
            resolved.port(),
            resolved.user(),
            resolved.identityFile(),
            resolved.knownHostsFile(),
            null,
            null,
            resolved.certificateFile().orElse(null));
    return resolved.jumpHost().map(hop -> host.withJumpHost(fromConfig(hop))).orElse(host);
  }

  /**
   * The server's log, read at the end of the class, whose {@code Accepted publickey} lines give the
   * server's side of the proof of one connection (for example the output of {@code journalctl -u
   * ssh} fetched by other means); only sshd's whole login line counts, never a peer's text.
   *
   * @throws IllegalArgumentException if {@code log} is null
   */
  public SshHost withLoginLog(Supplier<String> log) {
    if (log == null) {
      throw new IllegalArgumentException("SshHost.withLoginLog: the log supplier is null");
    }
    return new SshHost(
        host, port, user, identityFile, knownHostsFile, log, jumpHost, certificateFile);
  }

  /**
   * This host reached through {@code bastion}, as OpenSSH's {@code ProxyJump} does, on both
   * engines: the client holds one TCP connection, to the first hop of the chain, and each further
   * hop, this host last, is reached through the hop before it by its name and port as given here,
   * which that hop resolves ({@code db.internal}, 22). {@code bastion} may itself have a jump host
   * (a chain of any length: {@code db.withJumpHost(app.withJumpHost(bastion))}). Each hop logs in
   * with its own user and identity file, and its key is checked against its own known_hosts file,
   * under its own name and port ({@code db.internal}, or {@code [host]:port}), never under the
   * loopback address of a forward. The login log of the end-of-class proof is this host's ({@link
   * #withLoginLog} on the target); the hops' logs are not read.
   *
   * @throws IllegalArgumentException if {@code bastion} is null, or the chain would pass through
   *     this host again
   */
  public SshHost withJumpHost(SshHost bastion) {
    if (bastion == null) {
      throw new IllegalArgumentException("SshHost.withJumpHost: the jump host is null");
    }
    for (SshHost hop = bastion; hop != null; hop = hop.jumpHost) {
      if (hop == this) {
        throw new IllegalArgumentException(
            "SshHost.withJumpHost: " + this + " would be its own jump host");
      }
    }
    return new SshHost(
        host, port, user, identityFile, knownHostsFile, loginLog, bastion, certificateFile);
  }

  /** The host this one is reached through, if any ({@link #withJumpHost}). */
  public Optional<SshHost> jumpHost() {
    return Optional.ofNullable(jumpHost);
  }

  /** Host name or address to connect to (an IPv6 address without brackets). */
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

  /** The private key to log in with (an absolute path). */
  public Path identityFile() {
    return identityFile;
  }

  /** The known_hosts file holding the host's key (an absolute path). */
  public Path knownHostsFile() {
    return knownHostsFile;
  }

  /**
   * The OpenSSH certificate to log in with, when an ssh config gives one ({@code CertificateFile});
   * only the OpenSSH engine offers it.
   */
  public Optional<Path> certificateFile() {
    return Optional.ofNullable(certificateFile);
  }

  /** The server's login log, when given. */
  public Optional<Supplier<String>> loginLog() {
    return Optional.ofNullable(loginLog);
  }

  @Override
  public String toString() {
    return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Thrown here, so that a refusal names SshHost's own frame first. */
  private static void require(String method, String problem) {
    if (problem != null) {
      throw new IllegalArgumentException(method + ": " + problem);
    }
  }
}
