package dev.muxtest.internal.sshconfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line of an ssh config: the file and line it is on, its keyword and its arguments as OpenSSH
 * splits them; errors about it name all three.
 *
 * @param file the file the line is in (an included file names itself)
 * @param number the line number, from 1
 * @param keyword the keyword in its usual spelling when muxtest knows it, else as written
 * @param arguments the arguments, unquoted
 */
record ConfigLine(Path file, int number, String keyword, List<String> arguments) {

  /** The usual spelling of the keywords muxtest names in its messages, by lower case. */
  private static final Map<String, String> SPELLING =
      Map.ofEntries(
          Map.entry("host", "Host"),
          Map.entry("match", "Match"),
          Map.entry("include", "Include"),
          Map.entry("hostname", "HostName"),
          Map.entry("port", "Port"),
          Map.entry("user", "User"),
          Map.entry("identityfile", "IdentityFile"),
          Map.entry("userknownhostsfile", "UserKnownHostsFile"),
          Map.entry("certificatefile", "CertificateFile"),
          Map.entry("proxyjump", "ProxyJump"),
          Map.entry("proxycommand", "ProxyCommand"));

  /** {@code written} in its usual spelling, if muxtest knows the keyword. */
  static String spelled(String written) {
    return SPELLING.getOrDefault(written.toLowerCase(Locale.ROOT), written);
  }

  /** The keyword in lower case: OpenSSH's keywords are case-insensitive. */
  String lower() {
    return keyword.toLowerCase(Locale.ROOT);
  }

  /** The first argument (callers check that there is one). */
  String value() {
    return arguments.get(0);
  }

  /** A refusal of this line: {@code ssh config FILE line N, Keyword: problem}. */
  public IllegalArgumentException error(String problem) {
    return new IllegalArgumentException(
        "ssh config " + file + " line " + number + ", " + keyword + ": " + problem);
  }
}
