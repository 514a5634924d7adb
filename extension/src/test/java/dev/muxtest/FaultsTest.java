package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.assertj.MuxAssertions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.DockerClientFactory;

/**
 * Faults in the middle of a class: the master notices within its keep-alive bound, and the next
 * operation fails fast, naming the cause. Nothing hangs.
 */
class FaultsTest {

  /** Keep-alive used by the fault fixtures: a lost server is noticed within a few seconds. */
  private static final String FAST_KEEPALIVE = "1s";

  static final Map<Class<?>, String> containerIds = new ConcurrentHashMap<>();

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void sshdProcessOfOurConnectionKilled(Engine engine) {
    assertPasses(run(engine, KilledConnectionCase.class));
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void containerPaused(Engine engine) {
    assertPasses(run(engine, PausedServerCase.class));
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void reconnectReopensForwardsOnTheSamePortsAndTheProofSaysTwoConnections(Engine engine) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .configurationParameter("muxtest.keepalive.interval", FAST_KEEPALIVE)
            .configurationParameter("muxtest.reconnect", "true")
            .selectors(selectClass(ReconnectCase.class))
            .execute();

    // The test's own failure, in full, should there be one: the statistics alone do not say.
    assertThat(
            results.testEvents().failed().stream()
                .flatMap(
                    e ->
                        e
                            .getPayload(TestExecutionResult.class)
                            .flatMap(TestExecutionResult::getThrowable)
                            .stream())
                .map(FaultsTest::stackTrace)
                .toList())
        .as("failures of ReconnectCase's test")
        .isEmpty();
    results.testEvents().assertStatistics(stats -> stats.succeeded(1));
    // Honest: the class used two connections, so the end-of-class proof fails it, saying so.
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            org.junit.platform.testkit.engine.EventConditions.event(
                org.junit.platform.testkit.engine.EventConditions.container(ReconnectCase.class),
                org.junit.platform.testkit.engine.EventConditions.finishedWithFailure(
                    org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf(
                        AssertionError.class),
                    org.junit.platform.testkit.engine.TestExecutionResultConditions.message(
                        m ->
                            m.contains("client side: 2 TCP connection(s) opened")
                                && m.contains("server side: 2 authenticated")))));
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void networkDisconnected(Engine engine) {
    assertPasses(run(engine, DisconnectedNetworkCase.class));
  }

  @Test
  void serverRestartedBetweenClassesIsConnectedCleanly() {
    assertPasses(run(Engine.MINA, FirstClassCase.class));
    assertPasses(run(Engine.OPENSSH, SecondClassCase.class));

    assertThat(containerIds.get(SecondClassCase.class))
        .isNotEqualTo(containerIds.get(FirstClassCase.class));
  }

  private static EngineExecutionResults run(Engine engine, Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("muxtest.engine", engine.name())
        .configurationParameter("muxtest.keepalive.interval", FAST_KEEPALIVE)
        .selectors(selectClass(fixture))
        .execute();
  }

  private static void assertPasses(EngineExecutionResults results) {
    results.allEvents().failed().stream()
        .flatMap(
            e ->
                e
                    .getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .stream())
        .forEach(Throwable::printStackTrace);
    results.allEvents().assertStatistics(stats -> stats.failed(0));
    results.testEvents().assertStatistics(stats -> stats.succeeded(1));
  }

  private static String stackTrace(Throwable failure) {
    java.io.StringWriter text = new java.io.StringWriter();
    failure.printStackTrace(new java.io.PrintWriter(text));
    return text.toString();
  }

  /** Polls {@code check()} until it says the master is dead, within {@code bound}. */
  static void awaitDead(SshMaster master, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (master.check()) {
      assertThat(System.nanoTime())
          .as("master noticed the fault within %s", bound)
          .isLessThan(deadline);
    }
  }

  @SshMultiplexing
  static class KilledConnectionCase {
    @SshServer static SshdContainer server = new SshdContainer();

    @Test
    void nextCommandFailsFastNamingTheLostConnection(SshMaster master) throws Exception {
      assertThat(master.exec("true").exitCode()).isZero();

      // The per-connection sshd processes of our login; the listening sshd stays.
      assertThat(server.execInContainer("pkill", "-f", "sshd: tester").getExitCode()).isZero();

      awaitDead(master, Duration.ofSeconds(30));
      assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () ->
              assertThatThrownBy(() -> master.exec("true"))
                  .isInstanceOf(SshOperationException.class)
                  .hasMessageContaining("lost"));
      // No reconnect: still one connection, as both sides saw it.
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }

  @SshMultiplexing
  static class PausedServerCase {
    @SshServer static SshdContainer server = new SshdContainer();

    @Test
    void keepAliveNoticesTheSilentServer(SshMaster master) {
      assertThat(master.exec("true").exitCode()).isZero();
      var docker = DockerClientFactory.instance().client();
      docker.pauseContainerCmd(server.getContainerId()).exec();
      try {
        awaitDead(master, Duration.ofSeconds(30));
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () ->
                assertThatThrownBy(() -> master.exec("true"))
                    .isInstanceOf(SshOperationException.class)
                    .hasMessageContaining("lost"));
      } finally {
        docker.unpauseContainerCmd(server.getContainerId()).exec();
      }
    }
  }

  @SshMultiplexing
  static class DisconnectedNetworkCase {
    @SshServer static SshdContainer server = new SshdContainer();

    @Test
    void keepAliveNoticesTheUnreachableServer(SshMaster master) {
      assertThat(master.exec("true").exitCode()).isZero();
      var docker = DockerClientFactory.instance().client();
      String network =
          server.getContainerInfo().getNetworkSettings().getNetworks().keySet().iterator().next();
      docker
          .disconnectFromNetworkCmd()
          .withNetworkId(network)
          .withContainerId(server.getContainerId())
          .withForce(true)
          .exec();

      awaitDead(master, Duration.ofSeconds(30));
      assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () ->
              assertThatThrownBy(() -> master.exec("true"))
                  .isInstanceOf(SshOperationException.class)
                  .hasMessageContaining("lost"));
    }
  }

  @SshTunnel(name = "ssh", port = 22)
  static class ReconnectCase {
    @SshServer static SshdContainer server = new SshdContainer();

    @Test
    void afterTheConnectionIsLostTheNextCommandReconnects(
        SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      assertThat(master.exec("true").exitCode()).isZero();
      assertThat(server.execInContainer("pkill", "-f", "sshd: tester").getExitCode()).isZero();
      // check() notices the loss and never reconnects: the next command does.
      awaitDead(master, Duration.ofSeconds(30));

      assertThat(master.exec("echo back").stdout()).isEqualTo("back\n");
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(2);
      // The declared tunnel works again, on the port the test was given.
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        assertThat(
                new String(
                    socket.getInputStream().readNBytes(8),
                    java.nio.charset.StandardCharsets.US_ASCII))
            .isEqualTo("SSH-2.0-");
      }
      MuxAssertions.assertThat(master.connectionReport()).hasServerAuthenticatedConnections(2);
    }
  }

  /**
   * One server for both classes; the extension starts it for each, so the second one is a restart.
   */
  static final SshdContainer SHARED = new SshdContainer();

  @SshMultiplexing
  static class FirstClassCase {
    @SshServer static SshdContainer server = SHARED;

    @Test
    void works(SshMaster master) {
      containerIds.put(FirstClassCase.class, server.getContainerId());
      assertThat(master.exec("echo one").stdout()).isEqualTo("one\n");
    }
  }

  @SshMultiplexing
  static class SecondClassCase {
    @SshServer static SshdContainer server = SHARED;

    @Test
    void works(SshMaster master) throws Exception {
      containerIds.put(SecondClassCase.class, server.getContainerId());
      assertThat(
              master.exec("echo two", Duration.ofSeconds(TimeUnit.MINUTES.toSeconds(1))).stdout())
          .isEqualTo("two\n");
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }
}
