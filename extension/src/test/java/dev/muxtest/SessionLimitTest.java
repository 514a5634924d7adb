package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.assertj.MuxAssertions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Sessions and the server's MaxSessions: commands beyond it wait for a free session; and should the
 * server still refuse one, it fails with its cause named and never makes a second TCP connection
 * (OpenSSH's client would quietly fall back to one if nothing stopped it).
 */
class SessionLimitTest {

  static final AtomicReference<Throwable> refusal = new AtomicReference<>();
  static final AtomicReference<ExecResult> firstResult = new AtomicReference<>();

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void commandsBeyondMaxSessionsWaitForAFreeSession(Engine engine) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .selectors(selectClass(ThreeTimesMaxSessionsCase.class))
            .execute();

    results.allEvents().failed().stream()
        .forEach(
            e ->
                e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                    .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                    .ifPresent(Throwable::printStackTrace));
    results.allEvents().assertStatistics(stats -> stats.failed(0));
    results.testEvents().assertStatistics(stats -> stats.succeeded(1));
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void sessionTheServerRefusesFailsLoudlyOnTheSameConnection(Engine engine) {
    refusal.set(null);
    firstResult.set(null);

    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            // A budget above the server's real limit: the server, not the budget, has the last
            // word.
            .configurationParameter("muxtest.sessions.max", "2")
            .selectors(selectClass(SessionLimitCase.class))
            .execute();

    // The class passes, so its end-of-class proof found one connection on both sides.
    results.allEvents().assertStatistics(stats -> stats.failed(0));
    results.testEvents().assertStatistics(stats -> stats.succeeded(1));
    assertThat(firstResult.get().stdout()).isEqualTo("first\n");
    Throwable refused = refusal.get();
    assertThat(refused).isInstanceOf(SshOperationException.class);
    if (engine == Engine.OPENSSH) {
      assertThat(refused.getMessage())
          .startsWith("OpenSSH did not run the command over the master to tester@")
          .contains(
              ", and no second connection was made: the server refused a new session on the master's "
                  + "connection (is its MaxSessions reached?): mux_client_request_session: session request failed: "
                  + "Session open refused by peer: echo second")
          .doesNotContain("kex_exchange_identification");
    } else {
      assertThat(refused.getMessage())
          .startsWith("Command failed on tester@")
          .contains("second")
          .contains("open failed");
    }
  }

  @SshMultiplexing
  static class ThreeTimesMaxSessionsCase {
    @SshServer static SshdContainer server = new SshdContainer().withSshdOption("MaxSessions", "2");

    @org.junit.jupiter.api.Test
    void sixCommandsAtOnceAllComplete(SshMaster master) throws Exception {
      List<CompletableFuture<ExecResult>> commands =
          IntStream.range(0, 6)
              .mapToObj(i -> CompletableFuture.supplyAsync(() -> master.exec("sleep 1; echo " + i)))
              .collect(Collectors.toList());

      for (int i = 0; i < commands.size(); i++) {
        ExecResult result = commands.get(i).get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo(i + "\n");
      }
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }

  @SshMultiplexing
  static class SessionLimitCase {
    @SshServer static SshdContainer server = new SshdContainer().withSshdOption("MaxSessions", "1");

    @org.junit.jupiter.api.Test
    void secondSessionIsRefused(SshMaster master) throws Exception {
      CompletableFuture<ExecResult> first =
          CompletableFuture.supplyAsync(() -> master.exec("sleep 3; echo first"));
      awaitSleepRunning();

      assertThatThrownBy(() -> master.exec("echo second", Duration.ofSeconds(20)))
          .satisfies(refusal::set);

      firstResult.set(first.get(30, TimeUnit.SECONDS));
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }

    /** Watches the server through the container API: a second SSH session is what is refused. */
    private static void awaitSleepRunning() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (server.execInContainer("pgrep", "-x", "sleep").getExitCode() != 0) {
        assertThat(System.nanoTime()).as("first session running within 10 s").isLessThan(deadline);
      }
    }
  }
}
