package dev.muxtest.internal.openssh;

import dev.muxtest.ForwardType;

/**
 * A forward as OpenSSH is asked for it.
 *
 * @param type LOCAL ({@code -L}), REMOTE ({@code -R}) or DYNAMIC ({@code -D})
 * @param bindPort the listening port: on the test machine for LOCAL and DYNAMIC (never 0, OpenSSH
 *     refuses it), on the server for REMOTE (0: allocated by the server)
 * @param host destination host; empty for DYNAMIC and a socket
 * @param port destination port; 0 for DYNAMIC and a socket
 * @param socket for a LOCAL forward to a UNIX-domain socket on the server, its path; else empty
 * @param percentExpanded whether this ssh expands {@code %} tokens in a socket path
 */
record ForwardRequest(
    ForwardType type, int bindPort, String host, int port, String socket, boolean percentExpanded) {

  /** A forward to a TCP destination (or a SOCKS proxy). */
  ForwardRequest(ForwardType type, int bindPort, String host, int port) {
    this(type, bindPort, host, port, "", true);
  }

  /**
   * A LOCAL forward from {@code bindPort} to the UNIX-domain socket {@code socket}, for an ssh that
   * expands {@code %} tokens in its path or not.
   */
  static ForwardRequest toSocket(int bindPort, String socket, boolean percentExpanded) {
    return new ForwardRequest(ForwardType.LOCAL, bindPort, "", 0, socket, percentExpanded);
  }

  /** OpenSSH's option for the type. */
  String flag() {
    return switch (type) {
      case LOCAL -> "-L";
      case REMOTE -> "-R";
      case DYNAMIC -> "-D";
    };
  }

  /** OpenSSH's spec of the forward; a cancel must name it as requested (port 0 too). */
  String spec() {
    if (!socket.isEmpty()) {
      return "127.0.0.1:" + bindPort + ":" + specPath();
    }
    return switch (type) {
      case LOCAL -> "127.0.0.1:" + bindPort + ":" + specHost() + ":" + port;
      case REMOTE -> bindPort + ":" + specHost() + ":" + port;
      case DYNAMIC -> "127.0.0.1:" + bindPort;
    };
  }

  /** The host as a spec field: an IPv6 literal in brackets, or OpenSSH splits it at its colons. */
  private String specHost() {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /**
   * The socket path as a spec field, to be read back as exactly that path: ssh splits the spec at
   * colons, taking a backslash as an escape of the next character, then (since 8.3) expands {@code
   * %} tokens in the path ({@code %%} is a {@code %}).
   */
  private String specPath() {
    String path = percentExpanded ? socket.replace("%", "%%") : socket;
    return path.replace("\\", "\\\\").replace(":", "\\:");
  }

  /** The same forward on another listening port. */
  ForwardRequest onPort(int newBindPort) {
    return new ForwardRequest(type, newBindPort, host, port, socket, percentExpanded);
  }

  @Override
  public String toString() {
    return flag() + " " + spec();
  }
}
