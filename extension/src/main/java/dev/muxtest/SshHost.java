package dev.muxtest;

import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.sshconfig.ResolvedHost;
import dev.muxtest.internal.sshconfig.SshConfigResolver;
import dev.muxtest.internal.sshconfig.Strings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * An SSH server outside the test: a real host, given by address, user, identity file and
 * known_hosts file, or by an alias of an ssh config file. Declare it as the class's server with
 * {@code @SshServer static SshHost server = SshHost.of(...)}.
 *
 * <p>Nothing else is read from {@code ~/.ssh}, unless a config file names it or {@link
 * #fromUserSshConfig} is called. The host key must be in the given known_hosts file ({@code
 * [host]:port} for a port other than 22); any other key is refused. Every value is checked here,
 * before anything connects, so that both engines get the same values and none of them can reach the
 * OpenSSH engine's config as anything but itself: the host is a host name or an IP address; the
 * user name holds no whitespace, control character, {@code %}, quote, {@code \} or {@code #}; no
 * path holds what OpenSSH would expand ({@code %}, <code>${</code>) or read as a quote or an escape
 * ({@code "}, {@code \} before {@code \} or a quote); the identity file is readable by its owner
 * only (OpenSSH ignores any other key file) and not passphrase-protected. Without {@link
 * #withLoginLog} the end-of-class proof can only count the client's TCP connections, and says so.
 */
public final class SshHost {

  /** A host name label: RFC 1123, with '_' tolerated as resolvers do; no '-' at either end. */
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

  /** A backslash OpenSSH would read as an escape in a double-quoted argument (or its end). */
  private static final Pattern ESCAPE_IN_QUOTES = Pattern.compile("\\\\([\\\\'\"]|$)");

  private final String host;
  private final int port;
  private final String user;
  private final Path identityFile;
  private final Path knownHostsFile;
  private final Supplier<String> loginLog;
  private final SshHost jumpHost;
  private final Path certificateFile;
  private final Path controlSocket;

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
    this.controlSocket = null;
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
    require(hostProblem(host));
    require(userProblem(user));
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "SshHost: port must be between 1 and 65535 but was " + port);
    }
    Path identity = identityFile == null ? null : identityFile.toAbsolutePath();
    require(identityProblem(identity));
    Path knownHosts = knownHostsFile == null ? null : knownHostsFile.toAbsolutePath();
    require(fileProblem(knownHosts, "known_hosts file"));
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
   *       winning over its block; the result is chained with {@link #withJumpHost}; a loop is
   *       refused.
   * </ul>
   *
   * <p>{@code Match} is refused wherever it is (it can run commands). Keywords that would change
   * where or how to connect and that muxtest does not follow ({@code ProxyCommand} other than
   * {@code none}, {@code HostKeyAlias}, {@code CanonicalizeHostname}, {@code IdentityAgent}, {@code
   * GlobalKnownHostsFile}, {@code KnownHostsCommand}) are refused where they apply to the alias or
   * a hop, rather than misread. Other keywords are ignored: muxtest sets its own connection
   * options. Every value is then checked as by {@link #of}.
   *
   * @throws IllegalArgumentException for a null config file, or a null or blank alias
   * @throws ExtensionConfigurationException naming the file, line and keyword of a bad value, the
   *     alias or hop no Host line matches, or the missing setting
   */
  public static SshHost fromSshConfig(Path configFile, String alias) {
    if (configFile == null) {
      throw new IllegalArgumentException("SshHost.fromSshConfig: the config file is null");
    }
    requireAlias("fromSshConfig", alias);
    return fromConfig(SshConfigResolver.forFile(configFile).resolve(alias));
  }

  /**
   * A host by an alias of the user's own {@code ~/.ssh/config} ({@code ~} is the {@code user.home}
   * system property), read only when this is called, as {@link #fromSshConfig} reads a file, and as
   * OpenSSH reads the user's config: relative {@code Include} paths are taken from {@code ~/.ssh},
   * and the file and every included file are refused when others could write them.
   *
   * @throws IllegalArgumentException for a null or blank alias
   * @throws ExtensionConfigurationException as {@link #fromSshConfig}, and for a missing config
   */
  public static SshHost fromUserSshConfig(String alias) {
    requireAlias("fromUserSshConfig", alias);
    return fromConfig(SshConfigResolver.forUserConfig().resolve(alias));
  }

  private static void requireAlias(String method, String alias) {
    if (alias == null || alias.isBlank()) {
      throw new IllegalArgumentException(
          "SshHost." + method + ": the alias must not be null or blank but was " + shown(alias));
    }
  }

  /** A host read from a config: every value checked as by {@link #of}, named by its line. */
  private static SshHost fromConfig(ResolvedHost resolved) {
    String problem = hostProblem(resolved.host());
    if (problem != null) {
      throw resolved.error(
          resolved.hostLine(), "no HostName, and the alias is not a host name itself: ", problem);
    }
    problem = userProblem(resolved.user());
    if (problem != null) {
      throw resolved.error(
          resolved.userLine(), "no User, and the local user name cannot be used: ", problem);
    }
    problem = identityProblem(resolved.identityFile());
    if (problem != null) {
      throw resolved.identityLine().error(problem);
    }
    problem = fileProblem(resolved.knownHostsFile(), "known_hosts file");
    if (problem != null) {
      throw resolved.knownHostsLine().error(problem);
    }
    Path certificate = resolved.certificateFile().orElse(null);
    problem = certificate == null ? null : fileProblem(certificate, "certificate file");
    if (problem != null) {
      throw resolved.certificateLine().orElseThrow().error(problem);
    }
    SshHost host =
        new SshHost(
            unbracketed(resolved.host()),
            resolved.port(),
            resolved.user(),
            resolved.identityFile(),
            resolved.knownHostsFile(),
            null,
            null,
            certificate);
    return resolved.jumpHost().map(hop -> host.withJumpHost(fromConfig(hop))).orElse(host);
  }

  /**
   * The server's log, read at the end of the class, whose {@code Accepted publickey} lines give the
   * server's side of the proof of one connection (for example the output of {@code journalctl -u
   * ssh} fetched by other means).
   *
   * @throws IllegalArgumentException if {@code log} is null
   */
  public SshHost withLoginLog(Supplier<String> log) {
    if (log == null) {
      throw new IllegalArgumentException("SshHost.withLoginLog: the log supplier is null");
    }
    if (controlSocket != null) {
      return new SshHost(controlSocket, log);
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
    requireNoControlSocket(this, bastion);
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

  /**
   * Host name or address to connect to (an IPv6 address without brackets); null for {@link
   * #ofControlSocket}.
   */
  public String host() {
    return host;
  }

  /** SSH port; 0 for {@link #ofControlSocket}. */
  public int port() {
    return port;
  }

  /** Login user; null for {@link #ofControlSocket}. */
  public String user() {
    return user;
  }

  /** The private key to log in with (an absolute path); null for {@link #ofControlSocket}. */
  public Path identityFile() {
    return identityFile;
  }

  /**
   * The known_hosts file holding the host's key (an absolute path); null for {@link
   * #ofControlSocket}.
   */
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
    if (controlSocket != null) {
      return "the user's own master on " + controlSocket;
    }
    return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  // Checks: each returns what is wrong, or null. The values end up in the OpenSSH engine's
  // generated config (HostName, User, quoted paths), so anything its reader would split, expand or
  // read as another line is refused, for both engines alike.

  private static void require(String problem) {
    if (problem != null) {
      throw new IllegalArgumentException("SshHost: " + problem);
    }
  }

  private static String hostProblem(String host) {
    if (host == null || host.isBlank()) {
      return "the host must not be null or blank but was " + shown(host);
    }
    String notAHost = "the host " + shown(host) + " is not a host name or an IP address: ";
    if (host.startsWith("-")) {
      return notAHost + "it starts with '-'";
    }
    String forbidden =
        firstOutside(
            host, c -> (c < 128 && Character.isLetterOrDigit(c)) || ".-_:[]".indexOf(c) >= 0);
    if (forbidden != null) {
      return notAHost + "it contains " + forbidden;
    }
    if (host.contains(":") || host.contains("[") || host.contains("]")) {
      return isIpv6(unbracketed(host)) ? null : notAHost + "it is not a valid IPv6 address";
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
      return isIpv4(name) ? null : notAHost + "it is not a valid IPv4 address";
    }
    if (name.length() > 253) {
      return notAHost + "it is longer than 253 characters";
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty()) {
        return notAHost + "it has an empty label";
      }
      if (label.length() > 63) {
        return notAHost + "its label " + shown(label) + " is longer than 63 characters";
      }
      if (!LABEL.matcher(label).matches()) {
        return notAHost + "its label " + shown(label) + " starts or ends with '-'";
      }
    }
    return null;
  }

  private static String userProblem(String user) {
    if (user == null || user.isBlank()) {
      return "the user must not be null or blank but was " + shown(user);
    }
    String forbidden =
        firstOutside(
            user,
            c ->
                !Character.isWhitespace(c)
                    && !Character.isSpaceChar(c)
                    && !Character.isISOControl(c)
                    && "%\"'\\#".indexOf(c) < 0);
    if (forbidden != null) {
      return "the user "
          + shown(user)
          + " cannot be used: it contains "
          + forbidden
          + " (OpenSSH's config would split, expand or cut the name at whitespace, control"
          + " characters, %, quotes, \\ or #)";
    }
    if (user.contains("${")) {
      return "the user "
          + shown(user)
          + " cannot be used: it contains \"${\", which OpenSSH would expand as an environment"
          + " variable";
    }
    return null;
  }

  /** A file named in the OpenSSH engine's config: nothing OpenSSH would expand; readable. */
  private static String fileProblem(Path file, String what) {
    String problem = pathProblem(file, what);
    if (problem != null) {
      return problem;
    }
    String path = file.toString();
    if (Files.isDirectory(file)) {
      return "the " + what + " " + shown(path) + " cannot be read: it is a directory";
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      return "the " + what + " " + shown(path) + " cannot be read";
    }
    return null;
  }

  /** A path named in the OpenSSH engine's config or options: nothing OpenSSH would expand. */
  private static String pathProblem(Path file, String what) {
    if (file == null) {
      return "the " + what + " is null";
    }
    String path = file.toString();
    String cannotUse = "the " + what + " " + shown(path) + " cannot be used: ";
    String control = firstOutside(path, c -> !Character.isISOControl(c));
    if (control != null) {
      return cannotUse + "its path contains the control character " + control;
    }
    if (path.indexOf('%') >= 0) {
      return cannotUse
          + "OpenSSH would expand '%' in its path as a token (%d is the home directory, ...)";
    }
    if (path.contains("${")) {
      return cannotUse + "OpenSSH would expand \"${\" in its path as an environment variable";
    }
    if (path.indexOf('"') >= 0) {
      return cannotUse + "its path contains '\"', which OpenSSH's config reads as a quote";
    }
    // The path is written in double quotes: there OpenSSH reads \\, \" and \' as escapes.
    if (ESCAPE_IN_QUOTES.matcher(path).find()) {
      return cannotUse
          + "its path contains '\\' before '\\', a quote or its end, which OpenSSH's config"
          + " reads as an escape";
    }
    return null;
  }

  /**
   * The identity file: as any file, and private to its owner (OpenSSH ignores a key open to group
   * or others, where MINA would use it), and a key MINA reads without a passphrase (both engines
   * load it with {@link KeyMaterial#load}).
   */
  private static String identityProblem(Path file) {
    String problem = fileProblem(file, "identity file");
    if (problem != null) {
      return problem;
    }
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      permissions = Set.of(); // no POSIX modes here (Windows): OpenSSH checks ACLs itself
    } catch (IOException e) {
      return "the identity file " + shown(file.toString()) + " cannot be read: " + e.getMessage();
    }
    int mode = 0;
    for (PosixFilePermission permission : permissions) {
      mode |= 0400 >> permission.ordinal(); // OWNER_READ, OWNER_WRITE, ..., OTHERS_EXECUTE
    }
    if ((mode & 077) != 0) {
      return String.format(
          "the identity file %s has mode %04o, open to group or others; OpenSSH ignores such a key,"
              + " so muxtest refuses it on both engines: chmod 600 %s",
          shown(file.toString()), mode, file);
    }
    try {
      KeyMaterial.load(file);
    } catch (SshOperationException e) {
      String message = e.getMessage();
      return Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
    return null;
  }

  private static boolean isIpv4(String address) {
    String[] parts = address.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  /** An IPv6 literal (RFC 4291 text forms, no zone): parsed here, never given to a resolver. */
  private static boolean isIpv6(String address) {
    int gap = address.indexOf("::");
    if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    List<String> halves =
        gap < 0 ? List.of(address) : List.of(address.substring(0, gap), address.substring(gap + 2));
    int groups = 0;
    for (int h = 0; h < halves.size(); h++) {
      if (halves.get(h).isEmpty()) {
        if (gap < 0) {
          return false;
        }
        continue;
      }
      String[] parts = halves.get(h).split(":", -1);
      for (int i = 0; i < parts.length; i++) {
        boolean last = h == halves.size() - 1 && i == parts.length - 1;
        if (last && parts[i].contains(".")) {
          if (!isIpv4(parts[i])) {
            return false;
          }
          groups += 2;
        } else if (parts[i].matches("[0-9A-Fa-f]{1,4}")) {
          groups++;
        } else {
          return false;
        }
      }
    }
    return gap < 0 ? groups == 8 : groups < 8;
  }

  private static String unbracketed(String host) {
    return host.length() > 1 && host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1)
        : host;
  }

  /** The first character of {@code s} not {@code allowed}, shown quoted and escaped, or null. */
  private static String firstOutside(String s, IntPredicate allowed) {
    return s.codePoints()
        .filter(allowed.negate())
        .mapToObj(c -> c == '"' ? "'\"'" : "'" + escaped(c) + "'")
        .findFirst()
        .orElse(null);
  }

  private static String shown(String s) {
    return Strings.shown(s);
  }

  private static String escaped(int c) {
    return Strings.escaped(c);
  }

  // The user's own master (SshHost.ofControlSocket): one contiguous block.

  /** A host of {@link #ofControlSocket}: only the socket and the login log are known. */
  private SshHost(Path controlSocket, Supplier<String> loginLog) {
    this.host = null;
    this.port = 0;
    this.user = null;
    this.identityFile = null;
    this.knownHostsFile = null;
    this.loginLog = loginLog;
    this.jumpHost = null;
    this.certificateFile = null;
    this.controlSocket = controlSocket;
  }

  /**
   * The host behind a master the user opened by hand ({@code ssh -M -S path user@host}, for example
   * to answer a bastion's second factor): the OpenSSH engine runs every session and forward over
   * that master, as multiplexing clients of its control socket ({@code -S path -o
   * ControlMaster=no}, with a {@code ProxyCommand} that fails, so that no session can fall back to
   * a connection of its own). muxtest never ends or stops that master ({@code -O exit}, {@code -O
   * stop}); the forwards it added are cancelled ({@code -O cancel}) when they close. The MINA
   * engine refuses such a host. Where the master goes, and which keys it trusted, is the user's
   * master's own business: this host has no address, user, identity or known_hosts of its own
   * ({@link #host()} and the like are null), and takes no jump host. The end-of-class proof is that
   * all sessions rode that master: the same process, still holding the TCP connections it held and
   * no new one to the server, and (with {@link #withLoginLog}) no new login in the server's log.
   *
   * @throws IllegalArgumentException naming the path, if it is null, does not exist, is not a
   *     socket, is not owned by the current user (OpenSSH's master takes only its own user's
   *     clients), or holds what OpenSSH would expand ({@code %}, <code>${</code>) or read as a
   *     quote or an escape
   */
  public static SshHost ofControlSocket(Path controlSocket) {
    if (controlSocket == null) {
      throw new IllegalArgumentException("SshHost.ofControlSocket: the control socket is null");
    }
    Path socket = controlSocket.toAbsolutePath().normalize();
    String problem = pathProblem(socket, "control socket");
    if (problem == null) {
      problem = socketProblem(socket);
    }
    if (problem != null) {
      throw new IllegalArgumentException("SshHost.ofControlSocket: " + problem);
    }
    return new SshHost(socket, null);
  }

  /**
   * The control socket of the user's own master, for a host of {@link #ofControlSocket}; else
   * empty.
   */
  public Optional<Path> controlSocket() {
    return Optional.ofNullable(controlSocket);
  }

  /** Neither end of a jump may be a host of {@link #ofControlSocket}. */
  private static void requireNoControlSocket(SshHost target, SshHost bastion) {
    if (target.controlSocket != null) {
      throw new IllegalArgumentException(
          "SshHost.withJumpHost: "
              + target
              + " goes wherever the user's master goes and takes no jump host; give the jump to"
              + " that master (ssh -M -S ... -J bastion ...)");
    }
    if (bastion.controlSocket != null) {
      throw new IllegalArgumentException(
          "SshHost.withJumpHost: "
              + bastion
              + " cannot be a jump host; only a host given by"
              + " address or ssh config can");
    }
  }

  /** An existing UNIX socket owned by the current user, or what it is instead. */
  private static String socketProblem(Path socket) {
    String at = "the control socket " + shown(socket.toString());
    Map<String, Object> attributes;
    try {
      attributes = Files.readAttributes(socket, "unix:mode,uid");
    } catch (java.nio.file.NoSuchFileException e) {
      return at
          + " does not exist; open the master first (ssh -M -S "
          + socket
          + " -f -N user@host)";
    } catch (IOException | UnsupportedOperationException e) {
      return at + " cannot be read: " + e;
    }
    int mode = (Integer) attributes.get("mode");
    if ((mode & 0170000) != 0140000) {
      return at + " is not a socket (an OpenSSH master's ControlPath is a UNIX socket)";
    }
    long ownUid = new com.sun.security.auth.module.UnixSystem().getUid();
    int uid = (Integer) attributes.get("uid");
    if (uid != ownUid) {
      return at
          + " belongs to uid "
          + uid
          + ", not to the current user (uid "
          + ownUid
          + "); an OpenSSH master takes only its own user's clients";
    }
    return null;
  }
}
