package dev.muxtest.internal.engine;

import java.util.List;

/**
 * The login lines of OpenSSH's sshd log ({@code LogLevel INFO}), written here for the embedded
 * server's own record and read here from a container's or an outside host's log:
 *
 * <pre>{@code Accepted publickey for <user> from <address> port <port> ssh2: <TYPE> <fingerprint>}
 * </pre>
 *
 * <p>A line may carry a prefix (journalctl, syslog); the fingerprint is its last word.
 */
public final class SshdLogLine {

  private static final String ACCEPTED_PUBLICKEY = "Accepted publickey for ";

  private SshdLogLine() {}

  /** The line sshd logs when {@code user} logs in from {@code peer} with a public key. */
  public static String acceptedPublicKey(
      String user, String peer, String keyType, String fingerprint) {
    return String.format(
        "%s%s from %s ssh2: %s %s", ACCEPTED_PUBLICKEY, user, peer, keyType, fingerprint);
  }

  /** Whether {@code line} is a public-key login of {@code user}. */
  public static boolean isPublicKeyLogin(String line, String user) {
    return line.contains(ACCEPTED_PUBLICKEY + user + " ");
  }

  /** The key fingerprint of a login line: its last word. */
  public static String fingerprint(String line) {
    String stripped = line.strip();
    return stripped.substring(stripped.lastIndexOf(' ') + 1);
  }

  /**
   * The public-key logins of {@code user} with the key of {@code fingerprint} in {@code log}, each
   * line stripped, in the log's order.
   */
  public static List<String> publicKeyLogins(String log, String user, String fingerprint) {
    return log.lines()
        .map(String::strip)
        .filter(line -> isPublicKeyLogin(line, user) && line.endsWith(" " + fingerprint))
        .toList();
  }

  /**
   * Every login in {@code log}, of any user and any method ({@code Accepted password for ...} too),
   * each line stripped.
   */
  public static List<String> anyLogins(String log) {
    return log.lines()
        .map(String::strip)
        .filter(line -> line.contains("Accepted ") && line.contains(" for "))
        .toList();
  }
}
