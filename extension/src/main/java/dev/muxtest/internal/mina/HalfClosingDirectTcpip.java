package dev.muxtest.internal.mina;

import java.io.IOException;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A direct-tcpip channel whose reader sees the server's EOF as end of stream, and whose incoming
 * data reaches the reader through a {@link ChannelDataPipe}.
 *
 * <p>MINA's client channel notes an incoming EOF but keeps its piped input open until the channel
 * closes. OpenSSH closes a forwarding channel only once both directions have ended, so after the
 * destination half-closes, a local reader waiting for end of stream before it sends its own would
 * wait forever. Here the EOF ends the stream right after the data that preceded it; a channel that
 * closes without EOF fails the read instead.
 */
final class HalfClosingDirectTcpip extends ChannelDirectTcpip {

  private ChannelDataPipe pipe;

  private HalfClosingDirectTcpip(SshdSocketAddress local, SshdSocketAddress remote) {
    super(local, remote);
  }

  /**
   * Creates the channel on {@code session}'s connection, as {@code createDirectTcpipChannel} does.
   */
  static HalfClosingDirectTcpip create(
      ClientSession session, SshdSocketAddress local, SshdSocketAddress remote) throws IOException {
    HalfClosingDirectTcpip channel = new HalfClosingDirectTcpip(local, remote);
    session.getService(ConnectionService.class).registerChannel(channel);
    return channel;
  }

  /** Installs the pipe before MINA's own set-up, which then keeps it. */
  @Override
  protected void doOpen() throws IOException {
    pipe = new ChannelDataPipe(getLocalWindow());
    out = pipe.sink();
    invertedOut = pipe; // also tells MINA that the reader, not the channel, opens the window
    super.doOpen();
  }

  @Override
  public void handleEof() throws IOException {
    super.handleEof();
    if (pipe != null) {
      pipe.endOfData(); // the reader gets the data queued before the EOF, then end of stream
    }
  }
}
