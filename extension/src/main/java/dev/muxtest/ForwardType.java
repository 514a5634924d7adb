package dev.muxtest;

/** Direction of a port forward. */
public enum ForwardType {

  /**
   * {@code -L}: a listener on the test machine's loopback leads to a destination seen from the
   * server.
   */
  LOCAL,

  /**
   * {@code -R}: a listener on the server's loopback leads to a destination seen from the test
   * machine.
   */
  REMOTE,

  /**
   * {@code -D}: a SOCKS proxy on the test machine's loopback; destinations are chosen per
   * connection.
   */
  DYNAMIC
}
