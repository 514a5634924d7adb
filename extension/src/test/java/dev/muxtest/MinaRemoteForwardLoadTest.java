package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.Poll;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * 1000 connections at once to a remote forward's listener on the server, each carried to a service
 * of the test JVM, on the MINA engine: the test JVM's threads and heap stay bounded, and it all
 * goes over the one TCP connection.
 */
@Isolated("measures the JVM's peak thread count and heap")
class MinaRemoteForwardLoadTest {

  private static final int CONNECTIONS = 1000;
  private static final int ACCEPT_TIMEOUT_MS = 120_000;

  static final SshdContainer server = new SshdContainer();

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  @Test
  void aThousandConnectionsAtOnceThroughARemoteForward() throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(Engine.MINA));
        ServerSocket gate = new ServerSocket()) {
      gate.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2 * CONNECTIONS);
      gate.setSoTimeout(ACCEPT_TIMEOUT_MS);
      Forward forward = master.forwardRemote(0, "127.0.0.1", gate.getLocalPort());

      System.gc();
      heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
      long heapBefore = heapPools().stream().mapToLong(p -> p.getUsage().getUsed()).sum();
      int threadsBefore = threads.getThreadCount();
      threads.resetPeakThreadCount();

      // The service holds every connection until all have arrived: they are open at once.
      CompletableFuture<Integer> answered =
          CompletableFuture.supplyAsync(() -> holdAllThenAnswer(gate));
      ExecResult result =
          master.exec(openAtOnceAndRead(forward.remotePort()), Duration.ofMinutes(3));

      assertThat(answered.get(30, TimeUnit.SECONDS)).isEqualTo(CONNECTIONS);
      assertThat(result.stderr()).isEmpty();
      assertThat(result.stdout().strip())
          .as("connections made on the server that got the service's answer")
          .isEqualTo(String.valueOf(CONNECTIONS));

      int threadGrowth = threads.getPeakThreadCount() - threadsBefore;
      long heapGrowth =
          heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() - heapBefore;
      // Bounds, not benchmarks: a thread or a megabyte per connection would pass them by far.
      // MINA itself starts a short-lived thread to close each forwarded channel's connector
      // (TcpipServerChannel's "ConnectorCleanup"): a burst of closes has a few dozen at once.
      assertThat(threadGrowth)
          .as("peak threads of the test JVM beyond the %d before", threadsBefore)
          .isLessThan(CONNECTIONS / 4);
      assertThat(
              Poll.until(
                  Duration.ofSeconds(90),
                  Duration.ofMillis(200),
                  () -> threads.getThreadCount() <= threadsBefore + 5))
          .as("threads of the test JVM back to the %d before", threadsBefore)
          .isTrue();
      assertThat(heapGrowth)
          .as("peak heap growth with %d forwarded connections", CONNECTIONS)
          .isLessThan(512L * 1024 * 1024);

      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
      ConnectionReport report = master.connectionReport();
      assertThat(report.singleConnection()).as("report %s", report).isTrue();
    }
  }

  /**
   * Opens all connections to the server-side port from one bash process (so that they are open at
   * once), then reads a line from each; prints how many said hello.
   */
  private static String openAtOnceAndRead(int port) {
    return "ulimit -n 4096 2>/dev/null; fds=(); for i in $(seq "
        + CONNECTIONS
        + "); do exec {fd}<>/dev/tcp/127.0.0.1/"
        + port
        + " || exit 2; fds+=($fd); done; ok=0; for fd in \"${fds[@]}\"; do"
        + " read -r -t 60 line <&$fd && [ \"$line\" = hello ] && ok=$((ok+1)); done; echo $ok";
  }

  /** Accepts until all connections are there (each within the accept timeout), then answers. */
  private static int holdAllThenAnswer(ServerSocket gate) {
    List<Socket> held = new ArrayList<>();
    try {
      while (held.size() < CONNECTIONS) {
        held.add(gate.accept());
      }
      for (Socket socket : held) {
        OutputStream out = socket.getOutputStream();
        out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      return held.size();
    } catch (IOException e) {
      throw new IllegalStateException("after " + held.size() + " connections", e);
    } finally {
      for (Socket socket : held) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing what the test is done with
        }
      }
    }
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
        .collect(Collectors.toList());
  }
}
