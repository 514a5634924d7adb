package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Poll;
import dev.muxtest.internal.engine.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An exec interrupted while it waits for its command, on the MINA engine: the caller gets an {@link
 * SshOperationException} at once with its interrupt flag set, the command is ended on the server,
 * and its session is given back, to the master's budget and to the server's MaxSessions alike.
 */
class MinaInterruptTest {

  /** MaxSessions 3: a budget of 2 sessions, and no session to spare on the server either. */
  static final SshdContainer server = new SshdContainer().withSshdOption("MaxSessions", "3");

  private static final Duration BOUND = Duration.ofSeconds(30);

  static EngineMaster master;

  @BeforeAll
  static void connect() {
    server.start();
    master =
        Masters.connect(
            new ContainerEndpoint(server),
            MasterOptions.defaults().withEngine(Engine.MINA),
            Settings.from(key -> Optional.empty()));
  }

  @AfterAll
  static void close() {
    if (master != null) {
      master.close();
    }
    server.stop();
  }

  @Test
  void interruptedCommandsEndAndGiveTheirSessionsBack() throws Exception {
    for (int round = 0; round < 2; round++) {
      List<Thread> waiting = new ArrayList<>();
      List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread =
            new Thread(
                () -> {
                  try {
                    master.exec("sleep 600", Duration.ofMinutes(10));
                    outcome.complete(null);
                  } catch (Throwable e) {
                    outcome.complete(
                        Thread.currentThread().isInterrupted()
                            ? e
                            : new AssertionError("interrupt flag not set again", e));
                  }
                },
                "muxtest-interrupt-test-" + i);
        thread.start();
        waiting.add(thread);
        outcomes.add(outcome);
      }
      List<Integer> seen = new ArrayList<>();
      assertThat(
              Poll.until(
                  BOUND,
                  Duration.ofMillis(100),
                  () -> {
                    int sleeps = sleepsOnTheServer();
                    if (seen.isEmpty() || seen.get(seen.size() - 1) != sleeps) {
                      seen.add(sleeps);
                    }
                    return sleeps == 2;
                  }))
          .as(
              "both commands running on the server in round %d (counts seen: %s; outcomes: %s)",
              round, seen, outcomes)
          .isTrue();

      long start = System.nanoTime();
      waiting.forEach(Thread::interrupt);
      for (CompletableFuture<Throwable> outcome : outcomes) {
        assertThat(outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS))
            .isInstanceOf(SshOperationException.class)
            .hasMessageContaining("Interrupted while running a command")
            .hasMessageContaining("sleep 600");
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(Poll.until(BOUND, Duration.ofMillis(100), () -> sleepsOnTheServer() == 0))
          .as("the interrupted commands ended on the server")
          .isTrue();

      // The whole budget (2) runs at once again: each command waits for the other to start, so
      // they finish only if both have a session at the same time, from the master and the server.
      String marker = "/tmp/interrupt-test-" + round + "-";
      CompletableFuture<ExecResult> first =
          CompletableFuture.supplyAsync(() -> master.exec(meetsTheOther(marker, "a", "b")));
      CompletableFuture<ExecResult> second =
          CompletableFuture.supplyAsync(() -> master.exec(meetsTheOther(marker, "b", "a")));
      assertThat(first.get(BOUND.toSeconds(), TimeUnit.SECONDS).exitCode()).isZero();
      assertThat(second.get(BOUND.toSeconds(), TimeUnit.SECONDS).exitCode()).isZero();
    }
    assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
  }

  /** A command that marks its start and waits, up to 20 s, for the other's mark. */
  private static String meetsTheOther(String marker, String self, String other) {
    return "touch "
        + marker
        + self
        + "; for i in $(seq 200); do [ -e "
        + marker
        + other
        + " ] && exit 0; sleep 0.1; done; exit 1";
  }

  /** Processes {@code sleep 600} of the server's user, counted from outside SSH. */
  private static int sleepsOnTheServer() {
    try {
      String count =
          server
              .execInContainer("sh", "-c", "pgrep -c -u tester -f '^sleep 600$' || true")
              .getStdout()
              .strip();
      return Integer.parseInt(count);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot count processes in the container", e);
    }
  }
}
