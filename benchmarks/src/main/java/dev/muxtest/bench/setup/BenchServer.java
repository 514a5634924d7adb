package dev.muxtest.bench.setup;

import dev.muxtest.SshdContainer;
import dev.muxtest.bench.RunPlan;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * The sshd container of the data-path benchmarks and the services it runs, each served by socat
 * with the file as second address, so that every connection reads its file from the start:
 *
 * <ul>
 *   <li>{@value #BLOB_PORT}: the large stream ({@link RunPlan#streamBytes()} random bytes), also
 *       published on a mapped port for the direct baseline;
 *   <li>{@value #PART_PORT}: one of the parallel streams ({@link RunPlan#partBytes()}), loopback
 *       only;
 *   <li>{@value #BYTE_PORT}: a single byte, for first-byte latency, also published.
 * </ul>
 */
public final class BenchServer {

  /** The large stream. */
  public static final int BLOB_PORT = 9000;

  /** One of the parallel streams. */
  public static final int PART_PORT = 9001;

  /** One byte per connection. */
  public static final int BYTE_PORT = 9002;

  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  private BenchServer() {}

  /** A container (not started) whose services serve the sizes of {@code plan}. */
  public static SshdContainer create(RunPlan plan) {
    String script =
        String.join(
            "\n",
            "set -e",
            "head -c " + plan.streamBytes() + " /dev/urandom > /tmp/blob.part",
            "head -c " + plan.partBytes() + " /tmp/blob.part > /tmp/part",
            "printf x > /tmp/byte",
            "mv /tmp/blob.part /tmp/blob",
            // 0.0.0.0 only where the direct baseline needs the published port; backlog for 16 at
            // once.
            "socat -U TCP-LISTEN:"
                + PART_PORT
                + ",bind=127.0.0.1,reuseaddr,fork,backlog=128 OPEN:/tmp/part &",
            "socat -U TCP-LISTEN:"
                + BYTE_PORT
                + ",bind=0.0.0.0,reuseaddr,fork,backlog=128 OPEN:/tmp/byte &",
            "exec socat -U TCP-LISTEN:"
                + BLOB_PORT
                + ",bind=0.0.0.0,reuseaddr,fork,backlog=128 OPEN:/tmp/blob");
    SshdContainer container = new SshdContainer().withBackgroundCommand(script);
    container.addExposedPorts(BLOB_PORT, BYTE_PORT);
    return container;
  }

  /** The published address of a service port, as the direct baseline reaches it. */
  public static InetSocketAddress direct(SshdContainer container, int port) {
    return new InetSocketAddress(container.getHost(), container.getMappedPort(port));
  }

  /**
   * Waits until the published services send data (the blob is made before they listen); a published
   * port accepts connections before anything listens behind it, so a byte must arrive.
   */
  public static void awaitServices(SshdContainer container)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    for (int port : new int[] {BLOB_PORT, BYTE_PORT}) {
      InetSocketAddress address = direct(container, port);
      while (!sendsAByte(address)) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "Service " + port + " in the container sent nothing within " + READY_TIMEOUT);
        }
        Thread.sleep(200); // polling a service that is still starting, bounded by READY_TIMEOUT
      }
    }
  }

  private static boolean sendsAByte(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, 2_000);
      socket.setSoTimeout(2_000);
      InputStream in = socket.getInputStream();
      return in.read() >= 0;
    } catch (IOException e) {
      return false;
    }
  }
}
