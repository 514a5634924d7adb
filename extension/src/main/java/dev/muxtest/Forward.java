package dev.muxtest;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A port forward running over the SSH master. "Local" is the test machine's side, "remote" the SSH
 * server's side. Closing it stops its listener; closing is idempotent.
 */
public interface Forward extends AutoCloseable {

  /** Direction of the forward. */
  ForwardType type();

  /**
   * The test machine's end: for {@link ForwardType#LOCAL} and {@link ForwardType#DYNAMIC} the port
   * of the listener on loopback; for {@link ForwardType#REMOTE} the destination port.
   */
  int localPort();

  /** Loopback address and {@link #localPort()}. */
  InetSocketAddress localAddress();

  /**
   * The server's end: for {@link ForwardType#REMOTE} the port listening on the server (allocated
   * when 0 was asked for); for {@link ForwardType#LOCAL} the destination port (0 for a forward to a
   * UNIX socket, see {@link #remoteSocketPath()}); 0 for {@link ForwardType#DYNAMIC}.
   */
  int remotePort();

  /**
   * Destination host: as seen from the server for LOCAL, from the test machine for REMOTE; empty
   * for DYNAMIC and for a forward to a UNIX socket.
   */
  String destinationHost();

  /**
   * Destination port: {@link #remotePort()} for LOCAL, {@link #localPort()} for REMOTE, 0 for
   * DYNAMIC.
   */
  int destinationPort();

  /**
   * For a LOCAL forward to a UNIX-domain socket on the server ({@link
   * SshMaster#forwardLocalSocket}, {@link SshTunnel#socket()}), the socket's path; empty for every
   * other forward.
   */
  default Optional<String> remoteSocketPath() {
    return Optional.empty();
  }

  /** Whether the forward still listens. */
  boolean isOpen();

  /** Stops the listener; connections already accepted are closed with it. */
  @Override
  void close();
}
