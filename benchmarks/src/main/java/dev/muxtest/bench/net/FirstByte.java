package dev.muxtest.bench.net;

import dev.muxtest.bench.MeasurementException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Time from opening a new TCP connection to its first byte, from a server that sends on connect.
 */
public final class FirstByte {

  private static final int TIMEOUT_MS = 10_000;
  private static final long MAX_DRAIN = 1 << 20;

  private FirstByte() {}

  /**
   * Opens a connection to {@code address} and returns the nanoseconds until its first byte arrived;
   * then reads the rest to end of stream (untimed) so that every connection ends in order.
   *
   * @throws MeasurementException if the stream ends before its first byte
   * @throws IOException if connecting or reading fails or takes more than 10 s
   */
  public static long nanos(InetSocketAddress address) throws IOException, MeasurementException {
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      long start = System.nanoTime();
      socket.connect(address, TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      InputStream in = socket.getInputStream();
      int first = in.read();
      long elapsed = System.nanoTime() - start;
      if (first < 0) {
        throw new MeasurementException(address + " closed the connection before sending a byte");
      }
      byte[] rest = new byte[4096];
      long drained = 0;
      for (int n; drained < MAX_DRAIN && (n = in.read(rest)) >= 0; ) {
        drained += n; // to end of stream, each read bounded by the timeout
      }
      return elapsed;
    }
  }
}
