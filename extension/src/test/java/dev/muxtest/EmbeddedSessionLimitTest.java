package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.assertj.MuxAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * {@link EmbeddedSshServer#withMaxSessions}: as sshd's MaxSessions, on both engines. Commands
 * beyond it wait for a free session; a session the server still refuses fails naming the cause, on
 * the same connection.
 */
class EmbeddedSessionLimitTest {

  static final AtomicReference<Throwable> refusal = new AtomicReference<>();
  static final AtomicReference<ExecResult> firstResult = new AtomicReference<>();

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void commandsBeyondMaxSessionsWaitForAFreeSession(Engine engine) {
    EngineExecutionResults results = run(engine, ThreeTimesMaxSessionsCase.class, null);

    assertPassed(results);
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aSessionTheServerRefusesFailsLoudlyOnTheSameConnection(Engine engine) {
    refusal.set(null);
    firstResult.set(null);

    // A budget above the server's limit: the server, not the budget, has the last word.
    EngineExecutionResults results = run(engine, SessionLimitCase.class, "2");

    assertPassed(results);
    assertThat(firstResult.get().stdout()).isEqualTo("first\n");
    Throwable refused = refusal.get();
    assertThat(refused).isInstanceOf(SshOperationException.class);
    if (engine == Engine.OPENSSH) {
      assertThat(refused.getMessage())
          .startsWith("OpenSSH did not run the command over the master to ")
          .contains("Session open refused by peer: echo second");
    } else {
      assertThat(refused.getMessage())
          .startsWith("Command failed on ")
          .contains("second")
          // MINA's server words every refusal alike; its reason code says "prohibited".
          .contains("SshChannelOpenException");
    }
  }

  private static EngineExecutionResults run(Engine engine, Class<?> fixture, String budget) {
    EngineTestKit.Builder builder =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .selectors(selectClass(fixture));
    if (budget != null) {
      builder.configurationParameter("muxtest.sessions.max", budget);
    }
    return builder.execute();
  }

  private static void assertPassed(EngineExecutionResults results) {
    assertThat(
            results.allEvents().failed().stream()
                .flatMap(
                    e ->
                        e
                            .getPayload(TestExecutionResult.class)
                            .flatMap(TestExecutionResult::getThrowable)
                            .stream())
                .toList())
        .as("failures")
        .isEmpty();
    results.testEvents().assertStatistics(stats -> stats.succeeded(1));
  }

  @SshMultiplexing
  static class ThreeTimesMaxSessionsCase {
    @SshServer static EmbeddedSshServer server = new EmbeddedSshServer().withMaxSessions(2);

    @org.junit.jupiter.api.Test
    void sixCommandsAtOnceAllComplete(SshMaster master) throws Exception {
      List<CompletableFuture<ExecResult>> commands =
          IntStream.range(0, 6)
              .mapToObj(i -> CompletableFuture.supplyAsync(() -> master.exec("sleep 1; echo " + i)))
              .toList();

      for (int i = 0; i < commands.size(); i++) {
        ExecResult result = commands.get(i).get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as("command %d: %s", i, result).isZero();
        assertThat(result.stdout()).isEqualTo(i + "\n");
      }
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }

  @SshMultiplexing
  static class SessionLimitCase {
    @SshServer static EmbeddedSshServer server = new EmbeddedSshServer().withMaxSessions(1);

    @org.junit.jupiter.api.Test
    void secondSessionIsRefused(SshMaster master) throws Exception {
      // The server is the test machine: the first session's file shows it running.
      Path running = Path.of(System.getProperty("java.io.tmpdir"), "muxtest-" + UUID.randomUUID());
      CompletableFuture<ExecResult> first =
          CompletableFuture.supplyAsync(
              () -> master.exec("touch '" + running + "'; sleep 3; echo first"));
      MultiplexingConformance.poll(
          "the first session running", Duration.ofSeconds(10), () -> Files.exists(running), b -> b);

      assertThatThrownBy(() -> master.exec("echo second", Duration.ofSeconds(20)))
          .satisfies(refusal::set);

      firstResult.set(first.get(30, TimeUnit.SECONDS));
      Files.deleteIfExists(running);
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }
}
