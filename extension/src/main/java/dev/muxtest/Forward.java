package dev.muxtest;

import java.net.InetSocketAddress;

/** A port forward running over the SSH master. Closing it stops its listener; closing is idempotent. */
public interface Forward extends AutoCloseable {

  /** Port of the forward's listener on the test machine's loopback interface. */
  int localPort();

  /** Loopback address and port of the forward's listener. */
  InetSocketAddress localAddress();

  /** Destination host, as seen from the SSH server. */
  String destinationHost();

  /** Destination port, as seen from the SSH server. */
  int destinationPort();

  /** Whether the forward still listens. */
  boolean isOpen();

  /** Stops the listener; connections already accepted are closed with it. */
  @Override
  void close();
}
