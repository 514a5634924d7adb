package dev.muxtest.internal.engine;

import dev.muxtest.ForwardType;

/**
 * A validated {@code @SshTunnel} declaration.
 *
 * @param name the tunnel's name, unique in its class (or method)
 * @param type direction of the forward
 * @param host destination host (as seen from the server for LOCAL, the test machine for REMOTE);
 *     empty for DYNAMIC
 * @param port destination port; 0 for DYNAMIC
 * @param bindPort listening port, 0 for a free (or server-allocated) one
 * @param socket for a LOCAL tunnel to a UNIX-domain socket on the server, its path (host is then
 *     empty and port 0); else empty
 */
public record TunnelSpec(
    String name, ForwardType type, String host, int port, int bindPort, String socket) {

  /** A tunnel to a TCP destination (or a SOCKS proxy). */
  public TunnelSpec(String name, ForwardType type, String host, int port, int bindPort) {
    this(name, type, host, port, bindPort, "");
  }

  /** A LOCAL tunnel to the UNIX-domain socket {@code socket} on the server. */
  public static TunnelSpec toSocket(String name, String socket, int bindPort) {
    return new TunnelSpec(name, ForwardType.LOCAL, "", 0, bindPort, socket);
  }

  /** Whether the tunnel leads to a UNIX-domain socket on the server. */
  public boolean isSocket() {
    return !socket.isEmpty();
  }

  /** A LOCAL tunnel on a free port. */
  public TunnelSpec(String name, String host, int port) {
    this(name, ForwardType.LOCAL, host, port, 0);
  }

  /** The forward and its destination, for messages. */
  public String describe() {
    if (isSocket()) {
      return "to the UNIX socket " + socket + " on the server";
    }
    return switch (type) {
      case LOCAL -> "to " + host + ":" + port + " as seen from the server";
      case REMOTE ->
          "from the server's port "
              + (bindPort == 0 ? "(allocated)" : bindPort)
              + " to "
              + host
              + ":"
              + port
              + " on the test machine";
      case DYNAMIC -> "a SOCKS proxy";
    };
  }
}
