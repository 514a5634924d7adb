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
 */
public record TunnelSpec(String name, ForwardType type, String host, int port, int bindPort) {

  /** A LOCAL tunnel on a free port. */
  public TunnelSpec(String name, String host, int port) {
    this(name, ForwardType.LOCAL, host, port, 0);
  }

  /** The forward and its destination, for messages. */
  public String describe() {
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
