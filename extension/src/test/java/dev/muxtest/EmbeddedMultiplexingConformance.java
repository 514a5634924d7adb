package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The multiplexing conformance suite against an {@link EmbeddedSshServer}, whose server is the test
 * machine itself. Each engine's class declares its own server (see {@link
 * MultiplexingConformance}).
 *
 * <p>Every case of the suite applies. Two read their fixture differently: the SSH port on the
 * server's loopback is the embedded server's own port, and the large transfer reads its blob from a
 * service in the test JVM (the server's {@code localhost}) instead of socat in a container.
 */
abstract class EmbeddedMultiplexingConformance extends MultiplexingConformance {

  /** The class's own embedded server. */
  abstract EmbeddedSshServer embeddedServer();

  @Override
  int sshPortOnServer() {
    return embeddedServer().port();
  }

  /**
   * As the suite's case: {@value #BLOB_SIZE} random bytes through a forward opened at run time,
   * SHA-256 checked. The blob comes from a listener in the test JVM, which is the server's loopback
   * here.
   */
  @Test
  @Override
  void largeTransferThroughARunTimeForwardArrivesIntact(SshMaster master) throws Exception {
    long seed = System.nanoTime();
    String expected = HexFormat.of().formatHex(sha256(randomBytes(seed), BLOB_SIZE));
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (ServerSocket blob = new ServerSocket()) {
      blob.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      blob.setSoTimeout((int) BOUND.toMillis());
      Future<?> served = thread.submit(() -> serveOnce(blob, seed));

      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      long received = 0;
      try (Forward forward = master.forwardLocal("localhost", blob.getLocalPort());
          Socket socket = new Socket()) {
        socket.connect(forward.localAddress(), 5_000);
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) != -1; ) {
          sha256.update(buffer, 0, n);
          received += n;
        }
      }
      served.get(BOUND.toSeconds(), TimeUnit.SECONDS);

      assertThat(received).isEqualTo(BLOB_SIZE);
      assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(expected);
    } finally {
      shutDown(thread);
    }
  }

  private static Void serveOnce(ServerSocket listener, long seed) throws IOException {
    try (Socket socket = listener.accept()) {
      OutputStream out = socket.getOutputStream();
      SplittableRandom random = randomBytes(seed);
      byte[] chunk = new byte[1 << 16];
      for (long left = BLOB_SIZE; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
    return null;
  }

  private static SplittableRandom randomBytes(long seed) {
    return new SplittableRandom(seed);
  }

  private static byte[] sha256(SplittableRandom random, long size) throws Exception {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[1 << 16];
    for (long left = size; left > 0; left -= chunk.length) {
      random.nextBytes(chunk);
      sha256.update(chunk, 0, (int) Math.min(chunk.length, left));
    }
    return sha256.digest();
  }
}
