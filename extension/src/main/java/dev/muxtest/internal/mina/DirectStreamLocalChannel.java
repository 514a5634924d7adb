package dev.muxtest.internal.mina;

import java.io.IOException;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * OpenSSH's {@code direct-streamlocal@openssh.com} channel (its PROTOCOL file, 2.4): the server
 * connects to the UNIX-domain socket named in the open message, and the channel carries that
 * connection. Apache MINA SSHD's client has no such channel; this one half-closes as {@link
 * HalfClosingForwardChannel} describes.
 */
final class DirectStreamLocalChannel extends HalfClosingForwardChannel {

  /** The channel type, as OpenSSH's sshd knows it. */
  static final String TYPE = "direct-streamlocal@openssh.com";

  private final String socketPath;

  private DirectStreamLocalChannel(String socketPath) {
    super(TYPE);
    this.socketPath = socketPath;
  }

  /** Creates the channel to {@code socketPath} on the server, on {@code session}'s connection. */
  static DirectStreamLocalChannel create(ClientSession session, String socketPath)
      throws IOException {
    return register(session, new DirectStreamLocalChannel(socketPath));
  }

  /** The socket path, then a reserved string and a reserved uint32, as OpenSSH sends them. */
  @Override
  protected void putOpenFields(Buffer buffer) {
    buffer.putString(socketPath);
    buffer.putString("");
    buffer.putUInt(0);
  }

  @Override
  protected String destination() {
    return socketPath;
  }
}
