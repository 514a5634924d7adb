package dev.muxtest.internal.engine;

import java.util.Optional;

/**
 * The one check of a destination host name's characters, for forwards, annotations and SOCKS
 * requests alike: a NUL or another control character never reaches a server. OpenSSH's sshd takes a
 * {@code direct-tcpip} request whose host holds a NUL as a malformed packet and drops the whole
 * connection, the master's.
 */
public final class HostText {

  private HostText() {}

  /**
   * Why {@code host} is not a host name to send, if it is not: it holds a control character (NUL, a
   * newline, DEL, ...). The message names the character by its code point, never prints it. Other
   * odd names (with a space, quotes) are the server's to refuse.
   */
  public static Optional<String> problem(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (Character.isISOControl(c)) {
        return Optional.of(
            String.format(
                "must not contain control characters, but has U+%04X at index %d", (int) c, i));
      }
    }
    return Optional.empty();
  }
}
