package dev.muxtest.internal.engine;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The login lines of OpenSSH's sshd log ({@code LogLevel INFO}), written here for the embedded
 * server's own record and read here from a container's or an outside host's log:
 *
 * <pre>{@code Accepted publickey for <user> from <address> port <port> ssh2: <TYPE> <fingerprint>}
 * </pre>
 *
 * <p>A line is read whole, never searched: sshd also logs text a peer chooses ({@code Received
 * disconnect from ... :11: <reason>}), and a reason worded as a login must not count as one. The
 * only prefix allowed is a syslog or journal one ending in {@code sshd[<pid>]: } (or {@code
 * sshd-session[<pid>]: }).
 */
public final class SshdLogLine {

  private static final String ACCEPTED_PUBLICKEY = "Accepted publickey for ";

  /**
   * A syslog or journal prefix: words none of which ends in a colon (a timestamp, a host name),
   * then {@code sshd[pid]: }. A peer's text in sshd's log follows a word ending in a colon ({@code
   * port 50412:11: <reason>}), so it can never pass for a prefix.
   */
  private static final Pattern PREFIX =
      Pattern.compile("(?:\\S*[^\\s:] )*?sshd(?:-session)?\\[\\d+\\]: ");

  /** With a certificate, sshd adds its key id, serial and CA: {@code ID x (serial 1) CA T fp}. */
  private static final String CERTIFICATE = "(?: ID .* \\(serial \\d+\\) CA \\S+ \\S+)?";

  private static final Pattern PUBLIC_KEY_LOGIN =
      Pattern.compile(
          "Accepted publickey for (\\S+) from \\S+ port \\d+ ssh2: \\S+ (\\S+)" + CERTIFICATE);

  /** Any method's login: {@code Accepted password for root from 10.0.0.3 port 4 ssh2}. */
  private static final Pattern ANY_LOGIN =
      Pattern.compile(
          "Accepted [\\w/@.-]+ for \\S+ from \\S+ port \\d+ ssh2(?:: \\S+ \\S+"
              + CERTIFICATE
              + ")?");

  private SshdLogLine() {}

  /** The line sshd logs when {@code user} logs in from {@code peer} with a public key. */
  public static String acceptedPublicKey(
      String user, String peer, String keyType, String fingerprint) {
    return String.format(
        "%s%s from %s ssh2: %s %s", ACCEPTED_PUBLICKEY, user, peer, keyType, fingerprint);
  }

  /**
   * The fingerprint of the key {@code user} logged in with, if {@code line} is exactly sshd's
   * public-key login line of that user (after an optional syslog or journal prefix).
   */
  public static Optional<String> publicKeyLogin(String line, String user) {
    Matcher m = PUBLIC_KEY_LOGIN.matcher(message(line));
    return m.matches() && m.group(1).equals(user) ? Optional.of(m.group(2)) : Optional.empty();
  }

  /**
   * The public-key logins of {@code user} with the key of {@code fingerprint} in {@code log}, each
   * line stripped, in the log's order.
   */
  public static List<String> publicKeyLogins(String log, String user, String fingerprint) {
    return log.lines()
        .map(String::strip)
        .filter(line -> publicKeyLogin(line, user).filter(fingerprint::equals).isPresent())
        .toList();
  }

  /**
   * Every login in {@code log}, of any user and any method ({@code Accepted password for ...} too),
   * each line stripped.
   */
  public static List<String> anyLogins(String log) {
    return log.lines()
        .map(String::strip)
        .filter(line -> ANY_LOGIN.matcher(message(line)).matches())
        .toList();
  }

  /** The message of a line: what follows its syslog or journal prefix, if it has one. */
  private static String message(String line) {
    String stripped = line.strip();
    Matcher prefix = PREFIX.matcher(stripped);
    return prefix.lookingAt() ? stripped.substring(prefix.end()) : stripped;
  }
}
