package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.assertj.MuxAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * File transfers and the server's MaxSessions: each transfer is a session of the master's budget,
 * so transfers beyond it wait for a free one; and should the server still refuse one, the transfer
 * fails with its cause named and never makes a second TCP connection (OpenSSH's sftp, through ssh,
 * would quietly fall back to one if nothing stopped it).
 */
class FileTransferSessionsTest {

  static final AtomicReference<Throwable> refusal = new AtomicReference<>();

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void transfersBeyondMaxSessionsWaitForAFreeSession(Engine engine) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .selectors(selectClass(BudgetCase.class))
            .execute();

    printFailures(results);
    results.allEvents().assertStatistics(stats -> stats.failed(0));
    results.testEvents().assertStatistics(stats -> stats.succeeded(1));
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aTransferTheServerRefusesFailsLoudlyOnTheSameConnection(Engine engine) {
    refusal.set(null);

    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            // A budget above the server's real limit: the server, not the budget, has the last
            // word.
            .configurationParameter("muxtest.sessions.max", "2")
            .selectors(selectClass(RefusedCase.class))
            .execute();

    printFailures(results);
    // The class passes, so its end-of-class proof found one connection on both sides.
    results.allEvents().assertStatistics(stats -> stats.failed(0));
    results.testEvents().assertStatistics(stats -> stats.succeeded(1));
    Throwable refused = refusal.get();
    assertThat(refused).isInstanceOf(SshOperationException.class);
    assertThat(refused.getMessage())
        .startsWith("Upload of ")
        .contains(" to refused.txt on tester@");
    if (engine == Engine.OPENSSH) {
      assertThat(refused.getMessage())
          .contains(": sftp did not run over the master to tester@")
          .contains(
              ", and no second connection was made: the server refused a new session on the master's connection");
    } else {
      assertThat(refused.getMessage()).contains("failed: cannot open an SFTP session");
    }
  }

  private static void printFailures(EngineExecutionResults results) {
    results.allEvents().failed().stream()
        .forEach(
            e ->
                e.getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .ifPresent(Throwable::printStackTrace));
  }

  /** MaxSessions 2, so a budget of 1: a command and three transfers at once all complete. */
  @SshMultiplexing
  static class BudgetCase {
    @SshServer static SshdContainer server = new SshdContainer().withSshdOption("MaxSessions", "2");

    @TempDir Path local;

    @Test
    void aCommandAndThreeTransfersAtOnceAllComplete(SshMaster master) throws Exception {
      Path source = Files.writeString(local.resolve("a.txt"), "a".repeat(100_000));
      CompletableFuture<ExecResult> command =
          CompletableFuture.supplyAsync(() -> master.exec("sleep 1; echo done"));
      List<CompletableFuture<Void>> transfers =
          IntStream.range(0, 3)
              .mapToObj(i -> CompletableFuture.runAsync(() -> master.upload(source, "budget-" + i)))
              .toList();

      for (CompletableFuture<Void> transfer : transfers) {
        transfer.get(60, TimeUnit.SECONDS);
      }
      assertThat(command.get(60, TimeUnit.SECONDS).stdout()).isEqualTo("done\n");
      assertThat(master.exec("cat budget-0 budget-1 budget-2 | wc -c").stdout().strip())
          .isEqualTo("300000");
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }

  /** MaxSessions 1 and a budget of 2: the server refuses the transfer's session. */
  @SshMultiplexing
  static class RefusedCase {
    @SshServer static SshdContainer server = new SshdContainer().withSshdOption("MaxSessions", "1");

    @TempDir Path local;

    @Test
    void aTransferBesideARunningCommandIsRefused(SshMaster master) throws Exception {
      Path source = Files.writeString(local.resolve("a.txt"), "a");
      CompletableFuture<ExecResult> first =
          CompletableFuture.supplyAsync(() -> master.exec("sleep 3; echo first"));
      awaitSleepRunning();

      assertThatThrownBy(() -> master.upload(source, "refused.txt", Duration.ofSeconds(20)))
          .satisfies(refusal::set);

      assertThat(first.get(30, TimeUnit.SECONDS).stdout()).isEqualTo("first\n");
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }

    /** Watches the server through the container API: a second SSH session is what is refused. */
    private static void awaitSleepRunning() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (server.execInContainer("pgrep", "-x", "sleep").getExitCode() != 0) {
        assertThat(System.nanoTime()).as("first session running within 30 s").isLessThan(deadline);
      }
    }
  }
}
