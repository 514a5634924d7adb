package dev.muxtest.internal.sshconfig;

import com.sun.security.auth.module.UnixSystem;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks of a server outside the test, before anything connects. The values end up in the
 * OpenSSH engine's generated config (HostName, User, quoted paths), so anything its reader would
 * split, expand or read as another line is refused, for both engines alike. Each check returns what
 * is wrong, or null.
 */
public final class HostChecks {

  /** A backslash OpenSSH would read as an escape in a double-quoted argument (or its end). */
  private static final Pattern ESCAPE_IN_QUOTES = Pattern.compile("\\\\([\\\\'\"]|$)");

  private HostChecks() {}

  /**
   * The first bad value of a host given by address, as {@code SshHost.of} documents, or null. The
   * identity and known_hosts files are absolute paths (or null).
   */
  public static String addressProblem(
      String host, int port, String user, Path identityFile, Path knownHostsFile) {
    String problem = HostNames.hostProblem(host);
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

  /** What makes {@code user} unusable in an OpenSSH config (split, expanded or cut). */
  public static String userProblem(String user) {
    if (user == null || user.isBlank()) {
      return "the user must not be null or blank but was " + shown(user);
    }
    String forbidden =
        HostNames.firstOutside(
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
    String control = HostNames.firstOutside(path, c -> !Character.isISOControl(c));
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

  private static String shown(String s) {
    return Strings.shown(s);
  }
}
