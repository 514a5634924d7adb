package dev.muxtest.internal.sshconfig;

import com.sun.security.auth.module.UnixSystem;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * The checks of a server outside the test, before anything connects. The values end up in the
 * OpenSSH engine's generated config (HostName, User, quoted paths), so anything its reader would
 * split, expand or read as another line is refused, for both engines alike. Each check returns what
 * is wrong, or null.
 */
public final class HostChecks {

  /** A host name label: RFC 1123, with '_' tolerated as resolvers do; no '-' at either end. */
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

  /** A backslash OpenSSH would read as an escape in a double-quoted argument (or its end). */
  private static final Pattern ESCAPE_IN_QUOTES = Pattern.compile("\\\\([\\\\'\"]|$)");

  private HostChecks() {}

  /**
   * The first bad value of a host given by address, as {@code SshHost.of} documents, or null. The
   * identity and known_hosts files are absolute paths (or null).
   */
  public static String addressProblem(
      String host, int port, String user, Path identityFile, Path knownHostsFile) {
    String problem = hostProblem(host);
    if (problem == null) {
      problem = userProblem(user);
    }
    if (problem == null && (port < 1 || port > 65535)) {
      problem = "port must be between 1 and 65535 but was " + port;
    }
    if (problem == null) {
      problem = identityProblem(identityFile);
    }
    return problem == null ? fileProblem(knownHostsFile, "known_hosts file") : problem;
  }

  /** What makes {@code alias} no ssh config alias (null or blank), or null. */
  public static String aliasProblem(String alias) {
    return alias == null || alias.isBlank()
        ? "the alias must not be null or blank but was " + shown(alias)
        : null;
  }

  /** What makes {@code host} not a host name or an IP address (with or without brackets). */
  public static String hostProblem(String host) {
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

  /** What makes {@code user} unusable in an OpenSSH config (split, expanded or cut). */
  public static String userProblem(String user) {
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
  public static String fileProblem(Path file, String what) {
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
  public static String pathProblem(Path file, String what) {
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
  public static String identityProblem(Path file) {
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

  /** {@code host} without the brackets of an IPv6 address written {@code [::1]}. */
  public static String unbracketed(String host) {
    return host.length() > 1 && host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1)
        : host;
  }

  /** An existing UNIX socket owned by the current user, or what it is instead. */
  public static String socketProblem(Path socket) {
    String at = "the control socket " + shown(socket.toString());
    Map<String, Object> attributes;
    try {
      attributes = Files.readAttributes(socket, "unix:mode,uid");
    } catch (NoSuchFileException e) {
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
    long ownUid = new UnixSystem().getUid();
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

  /** The first character of {@code s} not {@code allowed}, shown quoted and escaped, or null. */
  private static String firstOutside(String s, IntPredicate allowed) {
    return s.codePoints()
        .filter(allowed.negate())
        .mapToObj(c -> c == '"' ? "'\"'" : "'" + Strings.escaped(c) + "'")
        .findFirst()
        .orElse(null);
  }

  private static String shown(String s) {
    return Strings.shown(s);
  }
}
