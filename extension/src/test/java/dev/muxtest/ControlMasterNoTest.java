package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * {@code ControlMaster NO}: OpenSSH without a master, the baseline in which every command and every
 * forward is a connection of its own, so the class's proof of one connection must fail, with the
 * counts of both sides. The MINA engine has no such mode and must say so before starting anything.
 */
@Isolated("checks that no ssh child process of this JVM is left")
class ControlMasterNoTest {

  private static final String HERE = "dev.muxtest.ControlMasterNoTest$";

  /**
   * Connections of {@link NoMasterCase}, as OpenSshMaster makes them without a master: the tunnel's
   * own {@code ssh -N} (1), the tunnel's readiness probe, one exec that succeeds at once because
   * sshd listens before the container counts as started (1), and the two test commands (2). Local
   * connections through the tunnel are channels of the tunnel's connection, not new connections.
   */
  private static final long EXPECTED_CONNECTIONS = 4;

  @Test
  void withoutAMasterEveryCommandAndForwardIsAConnectionAndTheClassFails() {
    EngineExecutionResults results = run(NoMasterCase.class);

    // The tests themselves work; it is the class's proof of multiplexing that fails.
    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2).failed(0));
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(NoMasterCase.class),
                finishedWithFailure(
                    instanceOf(AssertionError.class),
                    message(
                        m -> m.contains("Expected all sessions to share one SSH connection")))));
    String failure = failureOf(results, NoMasterCase.class).getMessage();

    assertThat(failure)
        .startsWith(
            "[muxtest: SSH master of "
                + HERE
                + "NoMasterCase] "
                + "Expected all sessions to share one SSH connection, but");
    assertThat(count(failure, "client side: (\\d+) TCP connection\\(s\\) opened"))
        .isGreaterThanOrEqualTo(3)
        .isEqualTo(EXPECTED_CONNECTIONS);
    assertThat(
            count(failure, "server side: (\\d+) authenticated connection\\(s\\) with key SHA256:"))
        .as("the server's count")
        .isEqualTo(EXPECTED_CONNECTIONS);
    assertThat(
            failure
                .lines()
                .filter(line -> line.strip().startsWith("Accepted publickey for tester ")))
        .as("server log lines in the message")
        .hasSize((int) EXPECTED_CONNECTIONS);
    assertThat(reportEntries(results))
        .singleElement()
        .asString()
        .startsWith(
            String.format(
                "client TCP connections: %d, server authenticated connections: %d, key SHA256:",
                EXPECTED_CONNECTIONS, EXPECTED_CONNECTIONS));
    // The tunnel's own ssh process, a child of this JVM, ended with the class.
    assertThat(
            ProcessHandle.current()
                .children()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/ssh")).orElse(false))
                .map(p -> p.info().commandLine().orElse(String.valueOf(p.pid())))
                .collect(Collectors.toList()))
        .as("ssh child processes after the class")
        .isEmpty();
  }

  @Test
  void minaRejectsControlMasterNoBeforeStartingAnything() {
    List<String> before = MisconfigurationTest.ownContainers();

    EngineExecutionResults results = run(MinaNoCase.class);

    String expected =
        "@SshMultiplexing(engine = MINA, controlMaster = NO) on "
            + HERE
            + "MinaNoCase: attribute "
            + "'controlMaster' NO is an OpenSSH engine mode; the MINA engine always holds one master (use engine = OPENSSH)";
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(MinaNoCase.class),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class), message(expected))));
    assertThat(failureOf(results, MinaNoCase.class))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(expected)
        .hasNoSuppressedExceptions();
    results.testEvents().assertStatistics(stats -> stats.started(0));
    assertThat(MisconfigurationTest.ownContainers())
        .as("muxtest containers after the class")
        .isEqualTo(before);
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
  }

  private static Throwable failureOf(EngineExecutionResults results, Class<?> fixture) {
    return results.containerEvents().failed().stream()
        .filter(container(fixture)::matches)
        .map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .findFirst()
        .orElseThrow();
  }

  private static long count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("/%s/ in:%n%s", regex, text).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static List<String> reportEntries(EngineExecutionResults results) {
    return results.allEvents().reportingEntryPublished().stream()
        .map(Event::getPayload)
        .flatMap(payload -> payload.stream())
        .filter(ReportEntry.class::isInstance)
        .map(ReportEntry.class::cast)
        .map(entry -> entry.getKeyValuePairs().get("muxtest.connections"))
        .filter(value -> value != null)
        .collect(Collectors.toList());
  }

  // Fixtures: run only through the engine test kit (Surefire skips nested classes).

  @SshMultiplexing(engine = Engine.OPENSSH, controlMaster = ControlMaster.NO)
  @SshTunnel(name = "ssh", port = 22)
  static class NoMasterCase {
    @Test
    void firstCommand(SshMaster master) {
      assertThat(master.controlPath()).as("no control socket without a master").isEmpty();
      assertThat(master.exec("echo one").stdout()).isEqualTo("one\n");
    }

    @Test
    void secondCommandAndTheTunnel(SshMaster master, @ForwardedPort("ssh") InetSocketAddress tunnel)
        throws Exception {
      assertThat(master.exec("echo two").stdout()).isEqualTo("two\n");
      assertThat(MultiplexingConformance.banner(tunnel)).startsWith("SSH-2.0-");
    }
  }

  @SshMultiplexing(engine = Engine.MINA, controlMaster = ControlMaster.NO)
  static class MinaNoCase {
    @Test
    void neverRuns() {}
  }
}
