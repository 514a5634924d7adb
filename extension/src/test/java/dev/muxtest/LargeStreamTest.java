package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.assertj.MuxAssertions;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * 256 MiB of random bytes through a tunnel: every byte arrives, in order (SHA-256 compared with the
 * server's), and the far side's close reaches the local reader as end of stream.
 */
@SshTunnel(name = "blob", port = LargeStreamTest.PORT)
class LargeStreamTest {

  static final int PORT = 9000;
  static final long SIZE = 256L * 1024 * 1024;

  @SshServer
  static SshdContainer server =
      new SshdContainer()
          .withBackgroundCommand(
              "head -c "
                  + SIZE
                  + " /dev/urandom > /tmp/blob.part && mv /tmp/blob.part /tmp/blob"
                  // Each connection gets its own copy of the file, then socat closes it: the end of
                  // stream.
                  // The file is the second address so that every forked child opens it afresh (a
                  // file
                  // opened before the listener would share one read offset among all connections).
                  + " && exec socat -U TCP-LISTEN:"
                  + PORT
                  + ",bind=127.0.0.1,reuseaddr,fork OPEN:/tmp/blob");

  @Test
  void streamArrivesCompleteAndItsEndIsSeen(
      @ForwardedPort("blob") InetSocketAddress tunnel, SshMaster master) throws Exception {
    String expected = master.exec("sha256sum /tmp/blob").stdout().split(" ")[0];
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    long received = 0;
    long started = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(tunnel, 5_000);
      // A stall, or an end of stream that never reaches us, fails the read instead of hanging.
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) != -1; ) {
        sha256.update(buffer, 0, n);
        received += n;
      }
    }

    double seconds = (System.nanoTime() - started) / 1e9;
    // Reported, not asserted: speed is for the benchmarks, correctness is for this test.
    System.out.printf(
        "LargeStreamTest: %d MiB in %.2f s (%.0f MiB/s)%n",
        received >> 20, seconds, (received >> 20) / seconds);
    assertThat(received).isEqualTo(SIZE);
    assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(expected);
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }
}
