package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.muxtest.assertj.MuxAssertions;
import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.engine.Settings;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.DockerClientFactory;

/**
 * The lifecycle of a class's master, run through the engine: set up before the first test, proof of
 * one connection after the last, and nothing left behind whether the class passed, failed or its
 * setup threw.
 */
@Isolated("counts threads, containers and processes of the whole JVM")
class LifecycleTest {

  /** Local tunnel ports each fixture saw, by fixture class; checked closed afterwards. */
  static final Map<Class<?>, Set<Integer>> portsSeen = new ConcurrentHashMap<>();

  static final Map<Class<?>, SshMaster> mastersSeen = new ConcurrentHashMap<>();
  static final Map<Class<?>, Set<Path>> controlPathsSeen = new ConcurrentHashMap<>();

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void passingClassProvesOneConnectionAndLeavesNothing(Engine engine) {
    EngineExecutionResults results = run(PassingCase.class, engine);

    results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(3));
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(1, event(container(PassingCase.class), finishedSuccessfully()));
    List<String> entries =
        results.allEvents().reportingEntryPublished().stream()
            .flatMap(
                e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class).stream())
            .flatMap(entry -> entry.getKeyValuePairs().entrySet().stream())
            .filter(kv -> kv.getKey().equals("muxtest.connections"))
            .map(Map.Entry::getValue)
            .collect(Collectors.toList());
    assertThat(entries)
        .singleElement()
        .asString()
        .startsWith("client TCP connections: 1, server authenticated connections: 1, key SHA256:");
    assertNothingLeft(PassingCase.class);
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void failingTestStillClosesEverything(Engine engine) {
    EngineExecutionResults results = run(FailingTestCase.class, engine);

    results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
    assertThat(portsSeen.get(FailingTestCase.class)).isNotEmpty();
    assertNothingLeft(FailingTestCase.class);
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void throwingBeforeAllStillClosesEverything(Engine engine) {
    EngineExecutionResults results = run(BeforeAllThrowsCase.class, engine);

    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(BeforeAllThrowsCase.class),
                finishedWithFailure(
                    instanceOf(IllegalStateException.class), message("setup failed on purpose"))));
    assertThat(portsSeen.get(BeforeAllThrowsCase.class)).isNotEmpty();
    assertNothingLeft(BeforeAllThrowsCase.class);
  }

  @Test
  void unreachableDestinationFailsTheClassWithItsNameAndClosesEverything() {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.tunnel.readyTimeout", "1s")
            .configurationParameter("muxtest.engine", "MINA")
            .selectors(selectClass(UnreachableTunnelCase.class))
            .execute();

    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(UnreachableTunnelCase.class),
                finishedWithFailure(
                    instanceOf(SshOperationException.class),
                    message(
                        m ->
                            m.startsWith(
                                    "muxtest: tunnel \"closed\" of "
                                        + UnreachableTunnelCase.class.getName()
                                        + " (to localhost:9 as seen from the server) is not usable: Destination localhost:9 did not accept a connection from tester@")
                                && m.contains("within PT1S")))));
    results.testEvents().assertStatistics(stats -> stats.started(0));
    assertNothingLeft(UnreachableTunnelCase.class);
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void abortedClassStillClosesEverything(Engine engine) {
    EngineExecutionResults results = run(AbortedCase.class, engine);

    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(1, event(container(AbortedCase.class), abortedWithReason()));
    assertThat(portsSeen.get(AbortedCase.class)).isNotEmpty();
    assertNothingLeft(AbortedCase.class);
  }

  @Test
  void serverThatNeverBecomesReadyFailsTheClassAndLeavesNothing() {
    EngineExecutionResults results = run(NeverReadyCase.class, Engine.MINA);

    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(NeverReadyCase.class),
                finishedWithFailure(
                    instanceOf(SshOperationException.class),
                    message(
                        m ->
                            m.startsWith(
                                    "muxtest: cannot start the SSH server container for "
                                        + NeverReadyCase.class.getName())
                                && m.contains("Container startup failed")
                                && m.contains("sshd container log (last lines):")
                                && m.contains("MaxSessions integer value invalid")
                                && m.length() < 4000))));
    results.testEvents().assertStatistics(stats -> stats.started(0));
    assertThat(NeverReadyCase.server.isRunning()).isFalse();
    assertThat(
            DockerClientFactory.instance()
                .client()
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(Labels.SSHD, "true", "dev.muxtest.fixture", "never-ready"))
                .exec())
        .isEmpty();
    assertNothingLeft(NeverReadyCase.class);
  }

  @Test
  void forwardsListenOnLoopbackOnly() throws Exception {
    EngineExecutionResults results = run(PassingCase.class, Engine.MINA);
    results.testEvents().assertStatistics(stats -> stats.succeeded(3));

    assertThat(PassingCase.nonLoopbackAttempt)
        .as("a connection to the forward's port on %s", PassingCase.nonLoopbackAddress)
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void nestedClassSharesTheEnclosingMasterAndAddsItsOwnTunnel() {
    EngineExecutionResults results = run(NestedCase.class, Engine.MINA);

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    // Test methods see their own method-scoped view of a master; a master's key is its own.
    assertThat(mastersSeen.get(NestedCase.Inner.class).connectionReport().keyFingerprint())
        .isEqualTo(mastersSeen.get(NestedCase.class).connectionReport().keyFingerprint());
    assertNothingLeft(NestedCase.class);
  }

  private static EngineExecutionResults run(Class<?> fixture, Engine engine) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("muxtest.engine", engine.name())
        // A container per class: the leak checks look for the fixture's own container.
        .configurationParameter(Settings.DEFAULT_SERVER_SCOPE.name(), "class")
        .selectors(selectClass(fixture))
        .execute();
  }

  private static InetAddress ownNonLoopbackAddress() {
    try {
      return NetworkInterface.networkInterfaces()
          .filter(i -> !i.getName().startsWith("lo"))
          .flatMap(NetworkInterface::inetAddresses)
          .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
          .sorted(
              Comparator.comparing((InetAddress a) -> !a.getHostAddress().startsWith("172.17.")))
          .findFirst()
          .orElseThrow(
              () -> new IllegalStateException("this machine has no non-loopback IPv4 address"));
    } catch (SocketException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertNothingLeft(Class<?> fixture) {
    List<?> containers =
        DockerClientFactory.instance()
            .client()
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(Labels.TEST_CLASS, fixture.getName()))
            .exec();
    assertThat(containers).as("containers of %s", fixture.getSimpleName()).isEmpty();
    for (int port : portsSeen.getOrDefault(fixture, Set.of())) {
      assertThatThrownBy(
              () -> {
                try (Socket socket = new Socket()) {
                  socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                }
              })
          .as("tunnel port %d of %s after the class", port, fixture.getSimpleName())
          .isInstanceOf(ConnectException.class);
    }
    for (Path controlPath : controlPathsSeen.getOrDefault(fixture, Set.of())) {
      Path directory = controlPath.getParent();
      assertThat(directory).as("control directory of %s", fixture.getSimpleName()).doesNotExist();
      assertThat(
              ProcessHandle.allProcesses()
                  .filter(
                      p ->
                          p.info()
                              .commandLine()
                              .map(c -> c.contains(directory.toString()))
                              .orElse(false))
                  .map(p -> p.info().commandLine().orElse("?"))
                  .collect(Collectors.toList()))
          .as("ssh processes of %s", fixture.getSimpleName())
          .isEmpty();
    }
    Threads.awaitNoneNamed("sshd-SshClient", Duration.ofSeconds(10));
    Threads.awaitNoneNamed("muxtest-forward-", Duration.ofSeconds(10));
  }

  static void record(Class<?> fixture, int port) {
    portsSeen.computeIfAbsent(fixture, k -> ConcurrentHashMap.newKeySet()).add(port);
  }

  static void record(Class<?> fixture, SshMaster master) {
    master
        .controlPath()
        .ifPresent(
            path ->
                controlPathsSeen
                    .computeIfAbsent(fixture, k -> ConcurrentHashMap.newKeySet())
                    .add(path));
  }

  @SshTunnel(name = "ssh", port = 22)
  static class PassingCase {
    static volatile InetAddress nonLoopbackAddress;
    static volatile Exception nonLoopbackAttempt;

    @Test
    void first(@ForwardedPort("ssh") int port, SshMaster master) {
      record(PassingCase.class, port);
      record(PassingCase.class, master);
      // This machine's own address on the Docker bridge (or any non-loopback one of its own).
      nonLoopbackAddress = ownNonLoopbackAddress();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(nonLoopbackAddress, port), 2_000);
        nonLoopbackAttempt = null;
      } catch (Exception e) {
        nonLoopbackAttempt = e;
      }
    }

    @Test
    void second(SshMaster master) {
      assertThat(master.exec("true").exitCode()).isZero();
    }

    @Test
    void third(SshMaster master, @ForwardedPort("ssh") int port) {
      record(PassingCase.class, port);
      assertThat(master.exec("echo $SSH_CONNECTION").stdout()).isNotBlank();
    }
  }

  @SshTunnel(name = "ssh", port = 22)
  static class FailingTestCase {
    @Test
    void fails(@ForwardedPort("ssh") int port, SshMaster master) {
      record(FailingTestCase.class, port);
      record(FailingTestCase.class, master);
      assertThat(port).as("failing on purpose").isNegative();
    }
  }

  @SshTunnel(name = "ssh", port = 22)
  static class BeforeAllThrowsCase {
    @BeforeAll
    static void setUp(@ForwardedPort("ssh") int port, SshMaster master) {
      record(BeforeAllThrowsCase.class, port);
      record(BeforeAllThrowsCase.class, master);
      throw new IllegalStateException("setup failed on purpose");
    }

    @Test
    void neverRuns() {}
  }

  @SshTunnel(name = "ssh", port = 22)
  static class AbortedCase {
    @BeforeAll
    static void setUp(@ForwardedPort("ssh") int port, SshMaster master) {
      record(AbortedCase.class, port);
      record(AbortedCase.class, master);
      Assumptions.abort("aborted on purpose");
    }

    @Test
    void neverRuns() {}
  }

  /** sshd refuses its configuration and exits: the container never becomes ready. */
  @SshMultiplexing
  static class NeverReadyCase {
    @SshServer
    static SshdContainer server =
        new SshdContainer()
            .withSshdOption("MaxSessions", "many")
            .withLabel("dev.muxtest.fixture", "never-ready")
            .withStartupTimeout(Duration.ofSeconds(5));

    @Test
    void neverRuns() {}
  }

  /** Port 9 (discard) has no listener in the container: the forward opens but leads nowhere. */
  @SshTunnel(name = "closed", port = 9)
  static class UnreachableTunnelCase {
    @Test
    void neverRuns() {}
  }

  @SshTunnel(name = "ssh", port = 22)
  static class NestedCase {
    @Test
    void outer(SshMaster master, @ForwardedPort("ssh") int port) {
      mastersSeen.put(NestedCase.class, master);
      record(NestedCase.class, port);
    }

    @Nested
    @SshTunnel(name = "again", port = 22)
    class Inner {
      @Test
      void inner(
          SshMaster master, @ForwardedPort("ssh") int outer, @ForwardedPort("again") int own) {
        mastersSeen.put(Inner.class, master);
        record(NestedCase.class, outer);
        record(NestedCase.class, own);
        assertThat(own).isNotEqualTo(outer);
        MuxAssertions.assertThat(master).usedSingleTcpConnection();
      }
    }
  }
}
