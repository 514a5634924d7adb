package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.assertj.MuxAssertions;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Load with integrity, over one TCP connection: 64 concurrent connections through one forward, each
 * moving 16 MiB checked by SHA-256, and 500 commands in a row.
 */
class LoadTest {

  static final int PORT = 9000;
  static final int CONNECTIONS = 64;
  static final long SIZE = 16L * 1024 * 1024;

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void manyConnectionsAndCommandsOverOneMaster(Engine engine) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .selectors(selectClass(LoadCase.class))
            .execute();

    results.allEvents().failed().stream()
        .flatMap(
            e ->
                e
                    .getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .stream())
        .forEach(Throwable::printStackTrace);
    results.allEvents().assertStatistics(stats -> stats.failed(0));
    results.testEvents().assertStatistics(stats -> stats.succeeded(2));
  }

  @SshTunnel(name = "blob", port = PORT)
  static class LoadCase {
    @SshServer
    static SshdContainer server =
        new SshdContainer()
            .withBackgroundCommand(
                "head -c "
                    + SIZE
                    + " /dev/urandom > /tmp/blob.part && mv /tmp/blob.part /tmp/blob"
                    + " && exec socat -U TCP-LISTEN:"
                    + PORT
                    + ",bind=127.0.0.1,reuseaddr,fork,backlog=128 OPEN:/tmp/blob");

    @Test
    void concurrentConnectionsThroughOneForwardArriveIntact(
        @ForwardedPort("blob") InetSocketAddress tunnel, SshMaster master) throws Exception {
      String expected = master.exec("sha256sum /tmp/blob").stdout().split(" ")[0];
      ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
      try {
        List<Future<String>> digests = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
          digests.add(pool.submit(() -> sha256Through(tunnel)));
        }
        for (Future<String> digest : digests) {
          assertThat(digest.get(5, TimeUnit.MINUTES)).isEqualTo(expected);
        }
      } finally {
        pool.shutdownNow();
      }
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }

    @Test
    void fiveHundredCommandsInARow(SshMaster master) {
      for (int i = 0; i < 500; i++) {
        ExecResult result = master.exec("echo " + i);
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo(i + "\n");
      }
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }

    private static String sha256Through(InetSocketAddress tunnel) throws Exception {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      long received = 0;
      try (Socket socket = new Socket()) {
        socket.connect(tunnel, 10_000);
        socket.setSoTimeout(60_000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) != -1; ) {
          sha256.update(buffer, 0, n);
          received += n;
        }
      }
      assertThat(received).isEqualTo(SIZE);
      return HexFormat.of().formatHex(sha256.digest());
    }
  }
}
