package dev.muxtest.internal.mina;

import java.io.IOException;
import org.apache.sshd.client.channel.AsyncCapableClientChannel;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.channel.LocalWindow;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * A forwarding channel of a local forward (direct-tcpip, direct-streamlocal): its reader sees the
 * server's EOF as end of stream, and its incoming data reaches the reader through a {@link
 * ChannelDataPipe}. A subclass says only what its channel-open message carries after the window.
 *
 * <p>MINA's client channels note an incoming EOF but keep their piped input open until the channel
 * closes. OpenSSH closes a forwarding channel only once both directions have ended, so after the
 * destination half-closes, a local reader waiting for end of stream before it sends its own would
 * wait forever. Here the EOF ends the stream right after the data that preceded it; a channel that
 * closes without EOF fails the read instead.
 */
abstract class HalfClosingForwardChannel extends AsyncCapableClientChannel {

  private ChannelDataPipe pipe;

  HalfClosingForwardChannel(String type) {
    super(type, false);
  }

  /** Registers {@code channel} on {@code session}'s connection, as MINA's own factories do. */
  static <C extends HalfClosingForwardChannel> C register(ClientSession session, C channel)
      throws IOException {
    session.getService(ConnectionService.class).registerChannel(channel);
    return channel;
  }

  /** Puts the fields of the channel-open message that follow the window sizes. */
  protected abstract void putOpenFields(Buffer buffer);

  /** A short account of the destination, for the open future and messages. */
  protected abstract String destination();

  /** SSH_MSG_CHANNEL_OPEN with this type's fields, as MINA's own channels send it. */
  @Override
  public synchronized OpenFuture open() throws IOException {
    if (isClosing()) {
      throw new SshException("Session has been closed");
    }
    openFuture = new DefaultOpenFuture(destination(), futureLock);
    LocalWindow window = getLocalWindow();
    String type = getChannelType();
    Buffer buffer = getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_OPEN, 128);
    buffer.putString(type);
    buffer.putUInt(getChannelId());
    buffer.putUInt(window.getSize());
    buffer.putUInt(window.getPacketSize());
    putOpenFields(buffer);
    writePacket(buffer);
    return openFuture;
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
