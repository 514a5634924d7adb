package dev.muxtest.bench.net;

import dev.muxtest.bench.MeasurementException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Reads a TCP stream that a server sends on connect, bounded in time, and counts its bytes. */
public final class StreamRead {

  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int STALL_TIMEOUT_MS = 30_000;
  private static final int BUFFER = 256 * 1024;

  /**
   * One read.
   *
   * @param bytes bytes received
   * @param nanos from before connecting to end of stream
   */
  public record Result(long bytes, long nanos) {

    /** Throughput in MB/s (10^6 bytes per second). */
    public double megabytesPerSecond() {
      return bytes / 1e6 / (nanos / 1e9);
    }
  }

  private StreamRead() {}

  /**
   * Connects to {@code address}, reads to end of stream, and checks that exactly {@code expected}
   * bytes arrived.
   *
   * @throws MeasurementException if another count arrived
   * @throws IOException if connecting fails, the stream stalls for 30 s, or it outlasts {@code
   *     limit}
   */
  public static Result readAll(InetSocketAddress address, long expected, Duration limit)
      throws IOException, MeasurementException {
    Result result = read(address, Long.MAX_VALUE, limit);
    if (result.bytes() != expected) {
      throw new MeasurementException(
          String.format("%s sent %d bytes, expected %d", address, result.bytes(), expected));
    }
    return result;
  }

  /** Reads at most {@code bytes} (to warm a path up without reading it all), then closes. */
  public static Result readPrefix(InetSocketAddress address, long bytes, Duration limit)
      throws IOException {
    return read(address, bytes, limit);
  }

  private static Result read(InetSocketAddress address, long atMost, Duration limit)
      throws IOException {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    long total = 0;
    try (Socket socket = new Socket()) {
      socket.connect(address, CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(STALL_TIMEOUT_MS);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[BUFFER];
      while (total < atMost) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, atMost - total));
        if (n < 0) {
          break;
        }
        total += n;
        if (System.nanoTime() > deadline) {
          throw new IOException(
              String.format(
                  "Reading %s took longer than %s (%d bytes so far)", address, limit, total));
        }
      }
    }
    return new Result(total, System.nanoTime() - start);
  }
}
