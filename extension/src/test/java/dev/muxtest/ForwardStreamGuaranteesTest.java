package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a local forward promises for a large stream beyond its bytes arriving: a reader that stops
 * holds the server back (nothing piles up in between, nothing is lost when it reads on), and, on
 * the MINA engine, a stream cut short by a lost connection never reaches the reader as a complete
 * one.
 */
class ForwardStreamGuaranteesTest {

  private static final int PORT = 9100;
  private static final int MIB = 1 << 20;
  private static final int STREAM_MIB = 256;

  /**
   * Everything that may hold a stalled stream between the server's writer and the local reader:
   * socket buffers at each hop (sized by the kernels), Docker's port proxy, the SSH window (2 MiB)
   * and the client's pipe. Far below the stream, so that a forward without back-pressure cannot
   * pass.
   */
  private static final int BUFFERED_MIB_AT_MOST = 64;

  private static final Duration BOUND = Duration.ofSeconds(60);

  /**
   * Serves {@value #STREAM_MIB} MiB of random bytes per connection, one MiB at a time, and writes
   * after each MiB how many it has passed to the socket (from 0 at each connection): the server's
   * own count of what left it.
   */
  static SshdContainer server =
      new SshdContainer()
          .withBackgroundCommand(
              "umask 022 && head -c "
                  + ((long) STREAM_MIB * MIB)
                  + " /dev/urandom > /tmp/blob.part && mv /tmp/blob.part /tmp/blob"
                  + " && exec socat -U TCP-LISTEN:"
                  + PORT
                  + ",bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo 0 > /tmp/sent.part; mv /tmp/sent.part /tmp/sent; i=0; while [ $i -lt "
                  + STREAM_MIB
                  + " ]; do dd if=/tmp/blob bs="
                  + MIB
                  + " skip=$i count=1 2>/dev/null || exit 1; i=$((i+1));"
                  // Renamed into place: a reader never sees the file truncated and not yet written.
                  + " echo $i > /tmp/sent.part; mv /tmp/sent.part /tmp/sent; done'");

  @BeforeAll
  static void start() {
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aStalledReaderHoldsTheServerBackAndLosesNothing(Engine engine) throws Exception {
    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      awaitBlob(master);
      Forward forward = master.forwardLocal("localhost", PORT);
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      try (Socket socket = new Socket()) {
        socket.connect(forward.localAddress(), 5_000);
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        long received = read(in, sha256, MIB);
        assertThat(received).as("the stream's first MiB").isEqualTo(MIB);

        // The reader stops. The server's count must come to rest well short of the stream.
        List<Integer> counts = new ArrayList<>();
        boolean settled =
            Poll.until(
                BOUND,
                Duration.ofMillis(500),
                () -> {
                  counts.add(sentMib(master));
                  int n = counts.size();
                  return n >= 4
                      && counts.get(n - 1).equals(counts.get(n - 4))
                      && counts.get(n - 1) > 1;
                });
        assertThat(settled).as("the server's count came to rest; counts: %s", counts).isTrue();
        System.out.printf(
            "ForwardStreamGuaranteesTest (%s): the server sent %d MiB while the reader stalled%n",
            engine, counts.get(counts.size() - 1));
        assertThat(counts.get(counts.size() - 1))
            .as("MiB the server could send while the reader stalled (of %d)", STREAM_MIB)
            .isLessThanOrEqualTo(BUFFERED_MIB_AT_MOST);

        // The reader goes on: every byte arrives, in order, then the end of the stream.
        received += read(in, sha256, Long.MAX_VALUE);
        assertThat(received).isEqualTo((long) STREAM_MIB * MIB);
        assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(blobSha256(master));
      }
    }
  }

  /**
   * OpenSSH's client ends its side of a forwarded connection with an orderly close when its own
   * connection is lost, so its reader cannot tell a cut from an end; the MINA engine resets the
   * local connection instead.
   */
  @ParameterizedTest
  @EnumSource(names = {"MINA"})
  void aStreamCutByALostConnectionIsNeverTakenForItsEnd(Engine engine) throws Exception {
    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      awaitBlob(master);
      Forward forward = master.forwardLocal("localhost", PORT);
      try (Socket socket = new Socket()) {
        socket.connect(forward.localAddress(), 5_000);
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        MessageDigest ignored = MessageDigest.getInstance("SHA-256");
        long received = read(in, ignored, MIB);
        assertThat(received).as("the stream's first MiB").isEqualTo(MIB);

        // The per-connection sshd processes of our login; the listening sshd stays.
        assertThat(server.execInContainer("pkill", "-f", "sshd: tester").getExitCode()).isZero();

        long before = received;
        assertThatThrownBy(() -> read(in, ignored, Long.MAX_VALUE))
            .as("read on after the connection was lost, %d bytes in", before)
            .isInstanceOf(IOException.class)
            .hasMessageContaining("reset");
      }
    }
  }

  /** Reads at most {@code limit} bytes (to end of stream), adding them to {@code digest}. */
  private static long read(InputStream in, MessageDigest digest, long limit) throws IOException {
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    while (total < limit) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
      if (n < 0) {
        break;
      }
      digest.update(buffer, 0, n);
      total += n;
    }
    return total;
  }

  /** Waits until the service listens (it starts once the stream's file is complete). */
  private static void awaitBlob(SshMaster master) {
    // Listening, not only started: the kernel's table on the server shows the socket in LISTEN
    // (0A), where a process found by name may not have bound its port yet. Read from /proc, not
    // by connecting: a connection would start a stream of its own.
    String listening = String.format(":%04X 00000000:0000 0A", PORT);
    assertThat(
            Poll.until(
                BOUND,
                Duration.ofMillis(200),
                () ->
                    master
                        .exec("grep -q '" + listening + "' /proc/net/tcp && echo ready")
                        .stdout()
                        .contains("ready")))
        .as("the stream's service listens")
        .isTrue();
  }

  private static int sentMib(SshMaster master) {
    String text = master.exec("cat /tmp/sent 2>/dev/null || echo 0").stdout().strip();
    return Integer.parseInt(text);
  }

  private static String blobSha256(SshMaster master) {
    return master.exec("sha256sum /tmp/blob").stdout().split(" ")[0];
  }
}
