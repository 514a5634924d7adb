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
   * Why {@code host} is not a host name to send, if it is not: it holds a control character or
   * white space. The message names the character by its code point, never prints it.
   */
  public static Optional<String> problem(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        return Optional.of(
            String.format(
                "must not contain control characters or white space, but has U+%04X at index %d",
                (int) c, i));
      }
    }
    return Optional.empty();
  }
}
