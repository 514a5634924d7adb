package dev.muxtest;

import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * An SSH server outside the test: a real host, given by address, user, identity file and
 * known_hosts file, or by an alias of an ssh config file. Declare it as the class's server with
 * {@code @SshServer static SshHost server = SshHost.of(...)}.
 *
 * <p>Nothing else is read from {@code ~/.ssh}. The host key must be in the given known_hosts file
 * ({@code [host]:port} for a port other than 22); any other key is refused. Every value is checked
 * here, before anything connects, so that both engines get the same values and none of them can
 * reach the OpenSSH engine's config as anything but itself: the host is a host name or an IP
 * address; the user name holds no whitespace, control character, {@code %}, quote, {@code \} or
 * {@code #}; no path holds what OpenSSH would expand ({@code %}, <code>${</code>) or read as a
 * quote or an escape ({@code "}, {@code \} before {@code \} or a quote); the identity file is
 * readable by its owner only (OpenSSH ignores any other key file) and not passphrase-protected.
 * Without {@link #withLoginLog} the end-of-class proof can only count the client's TCP connections,
 * and says so.
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

  /** The ssh config keywords muxtest reads (lower case), with their usual spelling. */
  private static final Map<String, String> READ =
      Map.of(
          "hostname", "HostName",
          "port", "Port",
          "user", "User",
          "identityfile", "IdentityFile",
          "userknownhostsfile", "UserKnownHostsFile");

  /** A host name label: RFC 1123, with '_' tolerated as resolvers do; no '-' at either end. */
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

  /** A backslash OpenSSH would read as an escape in a double-quoted argument (or its end). */
  private static final Pattern ESCAPE_IN_QUOTES = Pattern.compile("\\\\([\\\\'\"]|$)");

  /** A keyword, then whitespace or one '=' (with optional whitespace), then its arguments. */
  private static final Pattern KEYWORD_LINE = Pattern.compile("([^\\s=]+)(?:\\s*=\\s*|\\s+)?(.*)");

  private final String host;
  private final int port;
  private final String user;
  private final Path identityFile;
  private final Path knownHostsFile;
  private final Supplier<String> loginLog;
  private final SshHost jumpHost;

  private SshHost(
      String host,
      int port,
      String user,
      Path identityFile,
      Path knownHostsFile,
      Supplier<String> loginLog,
      SshHost jumpHost) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.identityFile = identityFile;
    this.knownHostsFile = knownHostsFile;
    this.loginLog = loginLog;
    this.jumpHost = jumpHost;
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
    return new SshHost(unbracketed(host), port, user, identity, knownHosts, null, null);
  }

  /**
   * A host by an alias of an ssh config file: its {@code HostName} (default: the alias), {@code
   * Port} (default 22), {@code User} (default: the local user), {@code IdentityFile} and {@code
   * UserKnownHostsFile} (the last two required, one file each), read as OpenSSH reads them:
   * keywords in any case, {@code Keyword value} or {@code Keyword=value}, quoted arguments, {@code
   * #} comments, the first value wins, {@code ~/} is the local user's home. The alias must be named
   * by a {@code Host} pattern without wildcards; blocks with wildcards ({@code Host *}) add to it.
   * Keywords that would change where or how to connect and that muxtest does not follow ({@code
   * Match}, {@code Include}, {@code ProxyCommand}, {@code ProxyJump}, {@code HostKeyAlias}, ...)
   * are refused wherever they appear in the file, rather than misread. Other keywords are ignored:
   * muxtest sets its own connection options.
   *
   * @throws IllegalArgumentException for a null config file, or a null or blank alias
   * @throws ExtensionConfigurationException naming the file, line and keyword of a bad value, the
   *     alias no Host block names, or the missing setting
   */
  public static SshHost fromSshConfig(Path configFile, String alias) {
    if (configFile == null) {
      throw new IllegalArgumentException("SshHost.fromSshConfig: the config file is null");
    }
    if (alias == null || alias.isBlank()) {
      throw new IllegalArgumentException(
          "SshHost.fromSshConfig: the alias must not be null or blank but was " + shown(alias));
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(configFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ExtensionConfigurationException(
          "Cannot read ssh config " + configFile + ": " + e.getMessage(), e);
    }
    return new ConfigReader(configFile, alias).read(lines);
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
    return new SshHost(host, port, user, identityFile, knownHostsFile, log, jumpHost);
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
    return new SshHost(host, port, user, identityFile, knownHostsFile, loginLog, bastion);
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

  /** The server's login log, when given. */
  public Optional<Supplier<String>> loginLog() {
    return Optional.ofNullable(loginLog);
  }

  @Override
  public String toString() {
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
    if (Files.isDirectory(file)) {
      return "the " + what + " " + shown(path) + " cannot be read: it is a directory";
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      return "the " + what + " " + shown(path) + " cannot be read";
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

  /** {@code s} in double quotes, control characters escaped: a newline shows as \n. */
  private static String shown(String s) {
    return s == null ? "null" : "\"" + escaped(s) + "\"";
  }

  private static String escaped(String s) {
    return s.codePoints().mapToObj(SshHost::escaped).collect(Collectors.joining());
  }

  private static String escaped(int c) {
    return switch (c) {
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      default ->
          Character.isISOControl(c)
                  || ((Character.isWhitespace(c) || Character.isSpaceChar(c)) && c != ' ')
              ? String.format("\\u%04x", c)
              : new String(Character.toChars(c));
    };
  }

  /**
   * Reads one alias out of an ssh config file as OpenSSH would, for the keywords muxtest reads, and
   * remembers the line of each value so that a bad one is reported where it is.
   */
  private static final class ConfigReader {

    private record Setting(String keyword, String value, int line) {}

    private final Path file;
    private final String alias;
    private final String name;
    private final Map<String, Setting> first = new HashMap<>();
    private final List<Setting> identities = new ArrayList<>();
    private final Set<String> namedHosts = new LinkedHashSet<>();

    /** Lines before the first Host apply to every host. */
    private boolean active = true;

    private boolean named;
    private boolean matchedByWildcard;

    ConfigReader(Path file, String alias) {
      this.file = file;
      this.alias = alias;
      this.name = alias.toLowerCase(Locale.ROOT);
    }

    SshHost read(List<String> lines) {
      for (int i = 0; i < lines.size(); i++) {
        line(lines.get(i), i + 1);
      }
      String at = "ssh config " + file + ", Host " + escaped(alias);
      if (!named) {
        String names =
            namedHosts.isEmpty()
                ? "it names no host"
                : "it names " + namedHosts.stream().limit(20).collect(Collectors.joining(", "));
        throw new ExtensionConfigurationException(
            "ssh config "
                + file
                + ": no Host block names "
                + shown(alias)
                + (matchedByWildcard
                    ? "; it matches only Host patterns with wildcards, and muxtest takes a host"
                        + " only from a block that names it"
                    : "")
                + "; check the spelling ("
                + names
                + ")");
      }
      if (identities.isEmpty()) {
        throw new ExtensionConfigurationException(
            at + ": IdentityFile is missing (muxtest reads no default keys)");
      }
      if (identities.size() > 1) {
        throw error(
            identities.get(1),
            "a second IdentityFile for "
                + shown(alias)
                + " (the first is on line "
                + identities.get(0).line()
                + "); muxtest uses exactly one");
      }
      Setting knownHosts = first.get("userknownhostsfile");
      if (knownHosts == null) {
        throw new ExtensionConfigurationException(
            at + ": UserKnownHostsFile is missing (muxtest reads no default known_hosts)");
      }
      Setting hostName = first.get("hostname");
      String host = hostName == null ? alias : hostName.value();
      String problem = hostProblem(host);
      if (problem != null) {
        throw hostName == null
            ? new ExtensionConfigurationException(
                at + ": no HostName, and the alias is not a host name itself: " + problem)
            : error(hostName, problem);
      }
      Setting userSetting = first.get("user");
      String user = userSetting == null ? System.getProperty("user.name") : userSetting.value();
      problem = userProblem(user);
      if (problem != null) {
        throw userSetting == null
            ? new ExtensionConfigurationException(
                at + ": no User, and the local user name cannot be used: " + problem)
            : error(userSetting, problem);
      }
      Setting portSetting = first.get("port");
      int port = portSetting == null ? 22 : Integer.parseInt(portSetting.value());
      Path identity = path(identities.get(0));
      problem = identityProblem(identity);
      if (problem != null) {
        throw error(identities.get(0), problem);
      }
      Path knownHostsFile = path(knownHosts);
      problem = fileProblem(knownHostsFile, "known_hosts file");
      if (problem != null) {
        throw error(knownHosts, problem);
      }
      return new SshHost(unbracketed(host), port, user, identity, knownHostsFile, null, null);
    }

    private void line(String text, int number) {
      String line = text.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        return;
      }
      Matcher m = KEYWORD_LINE.matcher(line);
      if (!m.matches()) {
        throw error(number, shown(line), "a line must start with a keyword");
      }
      String keyword = m.group(1);
      String lower = keyword.toLowerCase(Locale.ROOT);
      if (UNSUPPORTED.contains(lower)) {
        throw new ExtensionConfigurationException(
            String.format(
                "ssh config %s line %d: '%s' is not supported by muxtest, which reads only plain"
                    + " Host blocks (the same way for both engines); give this host a plain Host"
                    + " block",
                file, number, keyword));
      }
      if (lower.equals("host")) {
        host(arguments(m.group(2), number, "Host"), number);
        return;
      }
      String canonical = READ.get(lower);
      if (canonical == null || !active) {
        return; // another keyword, or another host's block: not muxtest's to read
      }
      List<String> args = arguments(m.group(2), number, canonical);
      if (args.isEmpty()) {
        throw error(number, canonical, "no value given");
      }
      if (lower.equals("identityfile")) {
        // OpenSSH adds up IdentityFile lines; muxtest refuses a second one later.
        if (args.size() > 1) {
          throw error(number, canonical, oneValueExpected(args));
        }
        identities.add(new Setting(canonical, args.get(0), number));
        return;
      }
      if (first.containsKey(lower)) {
        return; // the first value wins, as in OpenSSH
      }
      if (args.size() > 1) {
        throw error(
            number,
            canonical,
            lower.equals("userknownhostsfile")
                ? args.size()
                    + " files given ("
                    + args.stream().map(SshHost::shown).collect(Collectors.joining(", "))
                    + "); muxtest takes exactly one known_hosts file, the one holding this host's"
                    + " key"
                : oneValueExpected(args));
      }
      String value = args.get(0);
      if (lower.equals("port")
          && (!value.matches("[0-9]{1,5}")
              || Integer.parseInt(value) < 1
              || Integer.parseInt(value) > 65535)) {
        throw error(number, canonical, shown(value) + " is not a port number (1 to 65535)");
      }
      first.put(lower, new Setting(canonical, value, number));
    }

    /** A Host line: OpenSSH's patterns ({@code *}, {@code ?}, {@code !} negates). */
    private void host(List<String> patterns, int number) {
      if (patterns.isEmpty()) {
        throw error(number, "Host", "no pattern given");
      }
      boolean matched = false;
      boolean literal = false;
      boolean negated = false;
      for (String given : patterns) {
        boolean negation = given.startsWith("!");
        String pattern = (negation ? given.substring(1) : given).toLowerCase(Locale.ROOT);
        boolean wildcard = pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
        if (!negation && !wildcard) {
          namedHosts.add(given);
        }
        if (glob(pattern).matcher(name).matches()) {
          negated |= negation;
          matched |= !negation;
          literal |= !negation && !wildcard;
        }
      }
      active = matched && !negated; // a negated match skips the block, as in OpenSSH
      named |= active && literal;
      matchedByWildcard |= active && !literal;
    }

    private static Pattern glob(String pattern) {
      StringBuilder regex = new StringBuilder();
      for (char c : pattern.toCharArray()) {
        regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
      }
      return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /**
     * The arguments of a line as OpenSSH splits them: at spaces and tabs outside quotes, {@code
     * "..."} or {@code '...'} quoting, {@code \} escaping a quote, {@code \} or space, and {@code
     * #} at the start of an argument beginning a comment.
     */
    private List<String> arguments(String text, int number, String keyword) {
      List<String> args = new ArrayList<>();
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (c == ' ' || c == '\t') {
          i++;
          continue;
        }
        if (c == '#') {
          break;
        }
        StringBuilder arg = new StringBuilder();
        char quote = 0;
        for (; i < text.length(); i++) {
          c = text.charAt(i);
          char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
          if (c == '\\'
              && (next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' '))) {
            arg.append(next);
            i++;
          } else if (quote == 0 && (c == ' ' || c == '\t')) {
            break;
          } else if (quote == 0 && (c == '"' || c == '\'')) {
            quote = c;
          } else if (quote != 0 && c == quote) {
            quote = 0;
          } else {
            arg.append(c);
          }
        }
        if (quote != 0) {
          throw error(number, keyword, "a quote is not closed");
        }
        if (arg.length() == 0) {
          throw error(number, keyword, "an empty value given");
        }
        args.add(arg.toString());
      }
      return args;
    }

    /** A path as OpenSSH takes it: {@code ~} or {@code ~/...} is the local user's home. */
    private Path path(Setting setting) {
      String value = setting.value();
      try {
        if (!value.startsWith("~")) {
          return Path.of(value).toAbsolutePath();
        }
        int slash = value.indexOf('/');
        String owner = value.substring(1, slash < 0 ? value.length() : slash);
        if (!owner.isEmpty() && !owner.equals(System.getProperty("user.name"))) {
          throw error(
              setting,
              shown(value)
                  + " is in the home directory of "
                  + shown(owner)
                  + ", which muxtest does not look up; write the path out");
        }
        return Path.of(System.getProperty("user.home"), slash < 0 ? "" : value.substring(slash + 1))
            .toAbsolutePath();
      } catch (InvalidPathException e) {
        throw error(setting, shown(value) + " is not a valid path: " + e.getMessage());
      }
    }

    private static String oneValueExpected(List<String> args) {
      return "one value expected but "
          + args.size()
          + " given: "
          + args.stream().map(SshHost::shown).collect(Collectors.joining(", "));
    }

    private ExtensionConfigurationException error(Setting setting, String problem) {
      return error(setting.line(), setting.keyword(), problem);
    }

    private ExtensionConfigurationException error(int line, String keyword, String problem) {
      return new ExtensionConfigurationException(
          "ssh config " + file + " line " + line + ", " + keyword + ": " + problem);
    }
  }
}
