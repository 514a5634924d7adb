package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A command's output is bounded on the MINA engine by {@code muxtest.exec.maxOutput}: a command
 * that writes more fails with a message naming the setting, its session is ended, the heap does not
 * take what it wrote, and the master goes on working.
 */
@Isolated("measures the JVM's peak heap")
class MinaOutputLimitTest {

  private static final long LIMIT = 1024 * 1024;
  private static final long FLOOD = 200_000_000;

  static final SshdContainer server = new SshdContainer();
  static EngineMaster master;

  @BeforeAll
  static void connect() {
    server.start();
    master =
        Masters.connect(
            new ContainerEndpoint(server),
            MasterOptions.defaults().withEngine(Engine.MINA),
            Settings.from(
                key ->
                    Optional.ofNullable(
                        Map.of(
                                Settings.EXEC_MAX_OUTPUT.name(),
                                "1m",
                                Settings.EXEC_TIMEOUT.name(),
                                "120s")
                            .get(key))));
  }

  @AfterAll
  static void close() {
    if (master != null) {
      master.close();
    }
    server.stop();
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdout", "stderr"})
  void aCommandWritingMoreThanTheLimitFailsWithoutFillingTheHeap(String stream) {
    String command = "head -c " + FLOOD + " /dev/zero" + (stream.equals("stderr") ? " >&2" : "");
    long heapBefore = resetPeakHeap();
    long start = System.nanoTime();

    assertThatThrownBy(() -> master.exec(command))
        .isExactlyInstanceOf(SshOperationException.class)
        .hasMessageContaining("more than " + LIMIT + " bytes to " + stream)
        .hasMessageContaining("muxtest.exec.maxOutput")
        .hasMessageContaining(command);

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    long peakGrowth = peakHeap() - heapBefore;
    // A bound, not a benchmark: far below what sending 200 MB would take at this machine's speed
    // with the whole output kept, and far below the exec timeout.
    assertThat(took).isLessThan(Duration.ofSeconds(30));
    assertThat(peakGrowth)
        .as("peak heap growth while the command wrote %d bytes (limit %d)", FLOOD, LIMIT)
        .isLessThan(64L * 1024 * 1024);

    // The command is gone from the server, and the master goes on.
    assertThat(master.exec("pgrep -c -x head || true").stdout().strip()).isEqualTo("0");
    assertThat(master.exec("echo still here").stdout()).isEqualTo("still here\n");
    assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
  }

  @Test
  void outputUpToTheLimitIsKeptWhole() {
    ExecResult exactly = master.exec("head -c " + LIMIT + " /dev/zero | tr '\\0' x");
    assertThat(exactly.exitCode()).isZero();
    assertThat(exactly.stdout()).hasSize((int) LIMIT).matches("x+");

    ExecResult both =
        master.exec("head -c " + LIMIT + " /dev/zero; head -c " + LIMIT + " /dev/zero >&2");
    assertThat(both.exitCode()).isZero();
    assertThat(both.stdout()).hasSize((int) LIMIT);
    assertThat(both.stderr()).hasSize((int) LIMIT);

    assertThatThrownBy(() -> master.exec("head -c " + (LIMIT + 1) + " /dev/zero"))
        .isExactlyInstanceOf(SshOperationException.class)
        .hasMessageContaining("more than " + LIMIT + " bytes to stdout");
  }

  /** Collects garbage, starts the heap pools' peaks afresh, and answers the heap in use. */
  private static long resetPeakHeap() {
    System.gc();
    heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    return heapPools().stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }

  /** The sum of the heap pools' peaks since the reset: at least the heap's real peak. */
  private static long peakHeap() {
    return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
        .collect(Collectors.toList());
  }
}
