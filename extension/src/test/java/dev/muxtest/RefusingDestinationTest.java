package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * A LOCAL tunnel whose destination refuses: the class waits its whole ready timeout (the service
 * may be starting), says early in the log that the destination refuses, and fails naming host, port
 * and the refusal.
 */
class RefusingDestinationTest {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(8);

  /**
   * The test JVM has no System.Logger provider of its own, so System.Logger writes to
   * java.util.logging under the class's name; held here so the logger is not collected.
   */
  private static final Logger READINESS_LOG =
      Logger.getLogger("dev.muxtest.internal.engine.ForwardReadiness");

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void refusalIsLoggedEarlyAndNamedInTheFailure(Engine engine) {
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    READINESS_LOG.addHandler(capture);
    EngineExecutionResults results;
    try {
      results =
          EngineTestKit.engine("junit-jupiter")
              .configurationParameter("muxtest.tunnel.readyTimeout", "8s")
              .configurationParameter("muxtest.engine", engine.name())
              .selectors(selectClass(RefusingCase.class))
              .execute();
    } finally {
      READINESS_LOG.removeHandler(capture);
    }

    Event failed = results.containerEvents().failed().list().get(0);
    Throwable thrown =
        failed.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    assertThat(thrown)
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("Destination localhost:5432")
        .hasMessageContaining("within " + READY_TIMEOUT)
        .hasMessageContaining("localhost:5432 as seen from the server refused every connection")
        .hasMessageContaining("Connection refused");
    results.testEvents().assertStatistics(stats -> stats.started(0));

    List<LogRecord> warnings =
        logged.stream()
            .filter(r -> r.getLevel() == Level.WARNING)
            .filter(r -> r.getMessage().contains("localhost:5432"))
            .toList();
    assertThat(warnings)
        .as("warnings of the readiness check")
        .singleElement()
        .satisfies(
            warning ->
                assertThat(warning.getMessage())
                    .contains("tunnel destination localhost:5432 as seen from the server")
                    .contains("refuses connections")
                    .contains("Connection refused")
                    .contains("waiting up to " + READY_TIMEOUT));
    // Said while the check still waited, not with the failure: the readiness check logs after a
    // few seconds of refusals and then waits out the rest of its 8 s.
    Instant saidAt = warnings.get(0).getInstant();
    assertThat(saidAt).isBefore(failed.getTimestamp().minusSeconds(3));
  }

  /** Nothing listens on port 5432 in the sshd container. */
  @SshTunnel(name = "db", port = 5432)
  static class RefusingCase {
    @Test
    void neverRuns() {}
  }
}
