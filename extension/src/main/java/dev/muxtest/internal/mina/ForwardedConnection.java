package dev.muxtest.internal.mina;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * One connection accepted by a {@link StreamingLocalForward} and its channel, pumped with blocking
 * streams in both directions, each half-closed on its own.
 */
final class ForwardedConnection {

  private static final int BUFFER = 64 * 1024;

  private final Socket socket;
  private final HalfClosingForwardChannel channel;

  ForwardedConnection(Socket socket, HalfClosingForwardChannel channel) {
    this.socket = socket;
    this.channel = channel;
  }

  /** Local client to server; the client's end of stream becomes the channel's EOF. */
  void pumpUpstream() {
    try (OutputStream toServer = channel.getInvertedIn()) {
      byte[] buffer = new byte[BUFFER];
      InputStream fromClient = socket.getInputStream();
      for (int n; (n = fromClient.read(buffer)) != -1; ) {
        toServer.write(buffer, 0, n);
        toServer.flush(); // the channel's stream buffers until flushed: send what we have
      }
    } catch (IOException e) {
      close(); // the other direction cannot go on either
    }
  }

  /**
   * Server to local client; the channel's EOF becomes the socket's end of stream, a channel that
   * ended without EOF (the connection lost, the channel closed) resets the socket instead, so that
   * the local client never takes a stream cut short for a complete one.
   */
  void pumpDownstream() throws IOException {
    try {
      // The channel's pipe writes each packet's data to the socket as it is, with no copy.
      channel.getInvertedOut().transferTo(socket.getOutputStream());
    } catch (IOException e) {
      reset();
      throw e;
    }
    if (!socket.isClosed()) {
      socket.shutdownOutput();
    }
  }

  /** Closes the socket with a reset (RST) rather than an orderly end of stream (FIN). */
  private void reset() {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException alreadyClosed) {
      // nothing to reset
    }
    Closing.quietly(socket);
  }

  void close() {
    Closing.quietly(socket);
    InputStream fromServer = channel.getInvertedOut();
    if (fromServer != null) {
      Closing.quietly(fromServer); // drops data nobody will read any more
    }
    channel.close(false);
  }
}
