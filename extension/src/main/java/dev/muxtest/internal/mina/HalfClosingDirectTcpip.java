package dev.muxtest.internal.mina;

import java.io.IOException;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A direct-tcpip channel (RFC 4254, 7.2) of a local forward, half-closing as {@link
 * HalfClosingForwardChannel} describes.
 */
final class HalfClosingDirectTcpip extends HalfClosingForwardChannel {

  private final SshdSocketAddress local;
  private final SshdSocketAddress remote;

  private HalfClosingDirectTcpip(SshdSocketAddress local, SshdSocketAddress remote) {
    super("direct-tcpip");
    this.local = local;
    this.remote = remote;
  }

  /**
   * Creates the channel on {@code session}'s connection, as {@code createDirectTcpipChannel} does.
   */
  static HalfClosingDirectTcpip create(
      ClientSession session, SshdSocketAddress local, SshdSocketAddress remote) throws IOException {
    return register(session, new HalfClosingDirectTcpip(local, remote));
  }

  /** Host and port to connect to, then the originator's address and port. */
  @Override
  protected void putOpenFields(Buffer buffer) {
    buffer.putString(remote.getHostName());
    buffer.putUInt(remote.getPort());
    buffer.putString(local.getHostName());
    buffer.putUInt(local.getPort());
  }

  @Override
  protected String destination() {
    return remote.toString();
  }
}
