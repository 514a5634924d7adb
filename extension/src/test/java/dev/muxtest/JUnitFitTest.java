package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.muxtest.assertj.MuxAssertions;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Poll;
import dev.muxtest.internal.junit.MethodSession;
import java.io.InputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The extension in real suites: inheritance, composed annotations, the closest declaration winning,
 * SUITE scope, parallel classes, Testcontainers-managed servers, no Docker, and what a failing test
 * reports.
 */
@Isolated("counts masters and threads across classes")
class JUnitFitTest {

  static final Map<Class<?>, SshMaster> masters = new ConcurrentHashMap<>();
  static final Map<Class<?>, Integer> ports = new ConcurrentHashMap<>();
  static final Map<Class<?>, ConnectionReport> reports = new ConcurrentHashMap<>();

  @Test
  void tunnelsOfASuperclassAndOfAComposedAnnotationAreInherited() {
    assertAllPass(run(InheritingCase.class), 1);
    assertAllPass(run(ComposedCase.class), 1);
  }

  @Test
  void theClosestDeclarationWins() {
    // The superclass's "target" leads nowhere; the subclass's declaration of the same name replaces
    // it.
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.tunnel.readyTimeout", "2s")
            .selectors(selectClass(OverridingCase.class))
            .execute();
    assertAllPass(results, 1);
  }

  @Test
  void nestedClassUsesTheEnclosingTunnelAndItsOwnDeclarationWins() {
    assertAllPass(run(EnclosingCase.class), 2);

    assertThat(masters.get(EnclosingCase.Inner.class)).isSameAs(masters.get(EnclosingCase.class));
    assertThat(ports.get(EnclosingCase.Inner.class)).isNotEqualTo(ports.get(EnclosingCase.class));
  }

  @Test
  void suiteScopeSharesOneMasterAndOneConnectionAcrossClasses() {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(SuiteOneCase.class), selectClass(SuiteTwoCase.class))
            .execute();

    assertAllPass(results, 2);
    SshMaster shared = masters.get(SuiteOneCase.class);
    assertThat(masters.get(SuiteTwoCase.class)).isSameAs(shared);
    // Taken by each class at its end: whichever ran second saw the whole run's traffic.
    assertThat(reports.values())
        .hasSize(2)
        .allSatisfy(
            report -> {
              assertThat(report.clientTcpConnections()).isEqualTo(1);
              assertThat(report.serverAuthenticatedConnections()).isEqualTo(1);
            });
    assertThat(shared.check()).as("closed with the run").isFalse();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void idleSuiteMasterClosesAndReopensOnDemandAsANewConnection(Engine engine) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .configurationParameter("muxtest.suite.idleTimeout", "200ms")
            .configurationParameter(
                "junit.jupiter.testclass.order.default",
                "org.junit.jupiter.api.ClassOrderer$OrderAnnotation")
            .selectors(
                selectClass(IdleOneCase.class),
                selectClass(IdleGapCase.class),
                selectClass(IdleTwoCase.class))
            .execute();

    results.testEvents().assertStatistics(stats -> stats.succeeded(3));
    assertThat(masters.get(IdleTwoCase.class)).isSameAs(masters.get(IdleOneCase.class));
    // The second class found the master idle-closed and reopened it: honestly two connections,
    // and its proof says so.
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(IdleTwoCase.class),
                finishedWithFailure(
                    instanceOf(AssertionError.class),
                    message(
                        m ->
                            m.contains("client side: 2 TCP connection(s) opened")
                                && m.contains("server side: 2 authenticated connection(s)")))));
  }

  @Test
  void eightClassesInParallelEachWithItsOwnSingleConnection() {
    List<Class<?>> classes =
        List.of(
            Parallel1Case.class,
            Parallel2Case.class,
            Parallel3Case.class,
            Parallel4Case.class,
            Parallel5Case.class,
            Parallel6Case.class,
            Parallel7Case.class,
            Parallel8Case.class);

    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
            .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
            .configurationParameter(
                "junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
            .selectors(
                classes.stream()
                    .map(DiscoverySelectors::selectClass)
                    .toArray(org.junit.platform.engine.DiscoverySelector[]::new))
            .execute();

    assertAllPass(results, 16);
    Set<SshMaster> distinct = classes.stream().map(masters::get).collect(Collectors.toSet());
    assertThat(distinct).hasSize(8).doesNotContainNull();
    assertThat(classes.stream().map(ports::get).collect(Collectors.toSet())).hasSize(8);
  }

  @Test
  void aServerManagedByTestcontainersIsUsedAndLeftToIt() {
    assertAllPass(run(TestcontainersManagedCase.class), 1);

    assertThat(TestcontainersManagedCase.server.isRunning()).isFalse();
  }

  @Test
  void withoutDockerAClassFailsWithOneClearMessageOrIsSkippedOnRequest() {
    {
      runWithoutDocker(NeedsDockerCase.class)
          .containerEvents()
          .assertThatEvents()
          .haveExactly(
              1,
              event(
                  container(NeedsDockerCase.class),
                  finishedWithFailure(
                      instanceOf(SshOperationException.class),
                      message(
                          "muxtest: "
                              + NeedsDockerCase.class.getName()
                              + " needs a Docker environment for its SSH server, "
                              + "and none is available (Testcontainers found none). Start Docker, "
                              + "set muxtest.defaultServer=embedded to use an SSH server in the test JVM "
                              + "instead, or skip such classes with @SshMultiplexing(disabledWithoutDocker = true)."))));
      runWithoutDocker(SkipsWithoutDockerCase.class)
          .containerEvents()
          .assertThatEvents()
          .haveExactly(
              1,
              event(
                  container(SkipsWithoutDockerCase.class),
                  skippedWithReason(
                      "Docker is not available, and @SshMultiplexing(disabledWithoutDocker = true) skips the class")));
    }
  }

  /** Plays a machine without Docker: the extension's Docker detector answers no. */
  public static final class NoDocker implements BooleanSupplier {
    @Override
    public boolean getAsBoolean() {
      return false;
    }
  }

  private static EngineExecutionResults runWithoutDocker(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("muxtest.internal.dockerDetector", NoDocker.class.getName())
        .selectors(selectClass(fixture))
        .execute();
  }

  @Test
  void aFailingTestReportsConnectionsForwardsAndTheServersLog() {
    EngineExecutionResults results = run(FailingWithDiagnosticsCase.class);

    results.testEvents().assertStatistics(stats -> stats.failed(1));
    Map<String, String> entries =
        results.allEvents().reportingEntryPublished().stream()
            .flatMap(e -> e.getPayload(ReportEntry.class).stream())
            .flatMap(entry -> entry.getKeyValuePairs().entrySet().stream())
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
    assertThat(entries.get("muxtest.connections"))
        .isEqualTo("client TCP connections: 1 (MINA engine)");
    assertThat(entries.get("muxtest.forwards")).contains("-> localhost:22");
    assertThat(entries.get("muxtest.sshd.log")).contains("Accepted publickey for tester");
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
  }

  private static void assertAllPass(EngineExecutionResults results, int tests) {
    results.allEvents().failed().stream()
        .flatMap(
            e ->
                e
                    .getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .stream())
        .forEach(Throwable::printStackTrace);
    results.allEvents().assertStatistics(stats -> stats.failed(0));
    results.testEvents().assertStatistics(stats -> stats.succeeded(tests));
  }

  /** The class's master behind the per-method view a test method is given. */
  static SshMaster underlying(SshMaster master) {
    return master instanceof MethodSession view ? view.engineMaster() : master;
  }

  static String banner(int port) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(8), StandardCharsets.US_ASCII);
    }
  }

  @SshTunnel(name = "ssh", port = 22)
  abstract static class TunnelBase {}

  static class InheritingCase extends TunnelBase {
    @Test
    void inheritsTheTunnel(@ForwardedPort("ssh") int port) throws Exception {
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
    }
  }

  /** A team's own composed annotation. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @SshTunnel(name = "ssh", port = 22)
  @SshTunnel(name = "ssh-again", port = 22)
  @interface TeamTunnels {}

  @TeamTunnels
  static class ComposedCase {
    @Test
    void getsBothTunnels(@ForwardedPort("ssh") int one, @ForwardedPort("ssh-again") int two)
        throws Exception {
      assertThat(one).isNotEqualTo(two);
      assertThat(banner(one)).isEqualTo("SSH-2.0-");
      assertThat(banner(two)).isEqualTo("SSH-2.0-");
    }
  }

  /** Port 9 has no listener: were this declaration used, the class could not start. */
  @SshTunnel(name = "target", port = 9)
  abstract static class UnreachableTargetBase {}

  @SshTunnel(name = "target", port = 22)
  static class OverridingCase extends UnreachableTargetBase {
    @Test
    void usesItsOwnTarget(@ForwardedPort("target") int port) throws Exception {
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
    }
  }

  @SshTunnel(name = "ssh", port = 22)
  static class EnclosingCase {
    @Test
    void outer(SshMaster master, @ForwardedPort("ssh") int port) {
      masters.put(EnclosingCase.class, underlying(master));
      ports.put(EnclosingCase.class, port);
    }

    @Nested
    @SshTunnel(name = "ssh", port = 22)
    class Inner {
      @Test
      void inner(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
        masters.put(Inner.class, underlying(master));
        ports.put(Inner.class, port);
        assertThat(banner(port)).isEqualTo("SSH-2.0-");
      }
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  static class SuiteOneCase {
    @Test
    void one(SshMaster master) {
      masters.put(SuiteOneCase.class, underlying(master));
      assertThat(master.exec("echo one").stdout()).isEqualTo("one\n");
      reports.put(SuiteOneCase.class, master.connectionReport());
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  @SshTunnel(name = "ssh", port = 22)
  static class SuiteTwoCase {
    @Test
    void two(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      masters.put(SuiteTwoCase.class, underlying(master));
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
      reports.put(SuiteTwoCase.class, master.connectionReport());
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  @org.junit.jupiter.api.Order(1)
  static class IdleOneCase {
    @Test
    void first(SshMaster master) {
      masters.put(IdleOneCase.class, underlying(master));
      assertThat(master.exec("echo one").stdout()).isEqualTo("one\n");
    }
  }

  /** A class that does not use the master: while it runs, the master has no users. */
  @org.junit.jupiter.api.Order(2)
  static class IdleGapCase {
    @Test
    void theMasterGoesIdle() {
      SshMaster master = masters.get(IdleOneCase.class);
      assertThat(
              Poll.until(
                  Duration.ofSeconds(20),
                  Duration.ofMillis(20),
                  () -> !((EngineMaster) master).isConnected()))
          .as("idle close within 20 s")
          .isTrue();
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  @org.junit.jupiter.api.Order(3)
  static class IdleTwoCase {
    @Test
    void second(SshMaster master) {
      masters.put(IdleTwoCase.class, underlying(master));
      assertThat(master.exec("echo two").stdout()).isEqualTo("two\n");
    }
  }

  @SshTunnel(name = "ssh", port = 22)
  abstract static class ParallelBase {
    @Test
    void first(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      masters.put(getClass(), underlying(master));
      ports.put(getClass(), port);
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
    }

    @Test
    void second(SshMaster master) {
      assertThat(master.exec("echo " + getClass().getSimpleName()).stdout())
          .isEqualTo(getClass().getSimpleName() + "\n");
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }

  static class Parallel1Case extends ParallelBase {}

  static class Parallel2Case extends ParallelBase {}

  static class Parallel3Case extends ParallelBase {}

  static class Parallel4Case extends ParallelBase {}

  static class Parallel5Case extends ParallelBase {}

  static class Parallel6Case extends ParallelBase {}

  static class Parallel7Case extends ParallelBase {}

  static class Parallel8Case extends ParallelBase {}

  @Testcontainers
  @SshMultiplexing
  static class TestcontainersManagedCase {
    @Container @SshServer static SshdContainer server = new SshdContainer();

    @Test
    void usesTheManagedServer(SshMaster master) {
      assertThat(server.isRunning()).isTrue();
      assertThat(master.exec("true").exitCode()).isZero();
    }
  }

  @SshMultiplexing
  static class NeedsDockerCase {
    @Test
    void neverRuns() {}
  }

  @SshMultiplexing(disabledWithoutDocker = true)
  static class SkipsWithoutDockerCase {
    @Test
    void neverRuns() {}
  }

  @SshTunnel(name = "ssh", port = 22)
  static class FailingWithDiagnosticsCase {
    @Test
    void fails(SshMaster master) {
      master.exec("true");
      assertThat(Stream.of("expected").toList()).as("failing on purpose").isEmpty();
    }
  }
}
