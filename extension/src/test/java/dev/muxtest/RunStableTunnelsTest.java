package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Run-stable tunnels (a SUITE-scope tunnel is opened once and keeps its port for the run) and
 * {@link ForwardedPorts}, the static lookup that code without a {@link ForwardedPort} parameter (a
 * Spring {@code @DynamicPropertySource} supplier) reads them with.
 */
@Isolated("fixture classes register in the JVM-wide registry of open classes")
class RunStableTunnelsTest {

  /** What each fixture class saw, by class. */
  static final Map<Class<?>, Integer> injected = new ConcurrentHashMap<>();

  static final Map<Class<?>, Integer> looked = new ConcurrentHashMap<>();
  static final Map<Class<?>, Integer> lookedThroughBase = new ConcurrentHashMap<>();
  static final Map<Class<?>, SshMaster> masters = new ConcurrentHashMap<>();
  static final Map<Class<?>, Throwable> failures = new ConcurrentHashMap<>();

  /** A connection through the tunnel, made by the first class and read on by the last. */
  static volatile Socket heldOpen;

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void twoSuiteClassesDeclaringTheSameTunnelGetTheSameForwardKeptForTheRun(Engine engine)
      throws Exception {
    clear();
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
            .configurationParameter(
                "junit.jupiter.testclass.order.default",
                "org.junit.jupiter.api.ClassOrderer$OrderAnnotation")
            .selectors(
                selectClass(SuiteSecondCase.class),
                selectClass(GapCase.class),
                selectClass(SuiteFirstCase.class))
            .execute();

    assertAllPass(results, 3);
    int port = injected.get(SuiteFirstCase.class);
    assertThat(injected.get(SuiteSecondCase.class)).as("the second class's port").isEqualTo(port);
    assertThat(looked)
        .as("ForwardedPorts.port(testClass, \"ssh\")")
        .containsEntry(SuiteFirstCase.class, port)
        .containsEntry(SuiteSecondCase.class, port);
    assertThat(lookedThroughBase)
        .as("ForwardedPorts.port(SuiteBase.class, \"ssh\")")
        .containsEntry(SuiteFirstCase.class, port)
        .containsEntry(SuiteSecondCase.class, port);
    assertThat(injected.get(GapCase.class))
        .as("while no class used it, the forward still listened and led to the server")
        .isEqualTo(port);
    assertThat(masters.get(SuiteSecondCase.class)).isSameAs(masters.get(SuiteFirstCase.class));
    assertThat(masters.get(SuiteFirstCase.class).engine()).isEqualTo(engine);

    // Closed with the run: the listener refuses, the connection held across the classes ends.
    assertThat(Poll.until(Duration.ofSeconds(10), Duration.ofMillis(20), () -> refuses(port)))
        .as("port %d refuses connections after the run", port)
        .isTrue();
    heldOpen.setSoTimeout(10_000);
    assertThat(readToEnd(heldOpen.getInputStream())).as("end of the held connection").isTrue();
    heldOpen.close();
    assertThatThrownBy(() -> ForwardedPorts.port(SuiteFirstCase.class, "ssh"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the tunnels of " + SuiteFirstCase.class.getName() + " are not open");
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aKeptTunnelOfAMasterClosedWhileIdleWorksAgainOnItsPortForTheNextClass(Engine engine) {
    clear();
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .configurationParameter("muxtest.suite.idleTimeout", "200ms")
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
            .configurationParameter(
                "junit.jupiter.testclass.order.default",
                "org.junit.jupiter.api.ClassOrderer$OrderAnnotation")
            .selectors(
                selectClass(IdleSecondCase.class),
                selectClass(IdleGapCase.class),
                selectClass(IdleFirstCase.class))
            .execute();

    results.testEvents().assertStatistics(stats -> stats.succeeded(3).failed(0));
    assertThat(injected.get(IdleSecondCase.class))
        .as("the port after the master reconnected")
        .isEqualTo(injected.get(IdleFirstCase.class));
    // Honestly a second connection: the second class's proof says so, as for any idle close.
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(IdleSecondCase.class),
                finishedWithFailure(
                    instanceOf(AssertionError.class),
                    message(m -> m.contains("client side: 2 TCP connection(s) opened")))));
  }

  @Test
  void aLookupBeforeTheClassRunsSaysWhenItCanBeMade() {
    assertThatThrownBy(() -> ForwardedPorts.port(SuiteFirstCase.class, "ssh"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "muxtest: the tunnels of " + SuiteFirstCase.class.getName() + " are not open now.")
        .hasMessageContaining("from muxtest's beforeAll callback")
        .hasMessageContaining("@TestInstance(PER_CLASS)");
  }

  @Test
  void badArgumentsAreRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> ForwardedPorts.port(null, "ssh"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ForwardedPorts: testClass must not be null");
    assertThatThrownBy(() -> ForwardedPorts.address(SuiteFirstCase.class, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ForwardedPorts: the tunnel name must not be blank (looking up a tunnel of "
                + SuiteFirstCase.class.getName()
                + ")");
    assertThatThrownBy(() -> ForwardedPorts.port(SuiteFirstCase.class, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be null");
  }

  @Test
  void anUnknownNameListsTheDeclaredOnesAndANestedClassFindsItsEnclosingTunnels() {
    clear();
    EngineExecutionResults results = run(ClassScopeCase.class);

    assertAllPass(results, 2);
    assertThat(failures.get(ClassScopeCase.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "muxtest: no @SshTunnel named \"nope\" is declared on "
                + ClassScopeCase.class.getName()
                + "; declared tunnels: [ssh, ssh-too]");
    assertThat(looked.get(ClassScopeCase.Inner.class))
        .as("the enclosing class's \"ssh\", found from the nested class")
        .isEqualTo(injected.get(ClassScopeCase.class));
    assertThat(lookedThroughBase.get(ClassScopeCase.Inner.class))
        .as("the nested class's own \"ssh-too\", which wins over the enclosing one")
        .isEqualTo(injected.get(ClassScopeCase.Inner.class))
        .isNotEqualTo(looked.get(ClassScopeCase.class));
  }

  @Test
  void aTestInstanceMadeBeforeTheTunnelsOpenFailsWithTheTimingExplained() {
    clear();
    run(PerClassCase.class)
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(PerClassCase.class),
                finishedWithFailure(
                    instanceOf(IllegalStateException.class),
                    message(
                        m ->
                            m.contains("the tunnels of " + PerClassCase.class.getName())
                                && m.contains("@TestInstance(PER_CLASS)")))));
  }

  @Test
  void aBaseClassWithSeveralRunningClassScopeSubclassesIsAmbiguous() {
    clear();
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
            .configurationParameter(
                "junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
            .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
            .configurationParameter(
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
            .selectors(selectClass(ClassOneCase.class), selectClass(ClassTwoCase.class))
            .execute();

    assertAllPass(results, 2);
    assertThat(injected.get(ClassOneCase.class))
        .as("CLASS scope: a tunnel of each class's own")
        .isNotEqualTo(injected.get(ClassTwoCase.class));
    assertThat(failures.values())
        .hasSize(2)
        .allSatisfy(
            failure ->
                assertThat(failure)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(
                        "2 open classes ("
                            + ClassBase.class.getName()
                            + " or its subclasses) have a tunnel \"ssh\" of their own")
                    .hasMessageContaining(ClassOneCase.class.getName() + " (port ")
                    .hasMessageContaining("scope = Scope.SUITE"));
  }

  private static void clear() {
    injected.clear();
    looked.clear();
    lookedThroughBase.clear();
    masters.clear();
    failures.clear();
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

  private static boolean refuses(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      return false;
    } catch (ConnectException refused) {
      return true;
    } catch (IOException other) {
      return false;
    }
  }

  /** Whether the stream ends (or is reset) within the socket's timeout. */
  private static boolean readToEnd(InputStream in) {
    try {
      while (in.read() != -1) {
        // the rest of sshd's banner, if any
      }
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  static String banner(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    return new String(socket.getInputStream().readNBytes(8), StandardCharsets.US_ASCII);
  }

  // Fixtures: run only through the engine test kit (Surefire skips nested classes).

  @SshMultiplexing(scope = Scope.SUITE)
  @SshTunnel(name = "ssh", port = 22)
  abstract static class SuiteBase {
    void record(SshMaster master, int port) {
      injected.put(getClass(), port);
      looked.put(getClass(), ForwardedPorts.port(getClass(), "ssh"));
      lookedThroughBase.put(getClass(), ForwardedPorts.port(SuiteBase.class, "ssh"));
      assertThat(ForwardedPorts.address(getClass(), "ssh"))
          .isEqualTo(new InetSocketAddress("127.0.0.1", port));
      masters.put(getClass(), JUnitFitTest.underlying(master));
    }
  }

  @Order(1)
  static class SuiteFirstCase extends SuiteBase {
    @Test
    void first(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      record(master, port);
      Socket socket = new Socket("127.0.0.1", port);
      heldOpen = socket;
      assertThat(banner(socket)).isEqualTo("SSH-2.0-");
    }
  }

  /** A class without muxtest: while it runs, no class uses the run's tunnel. */
  @Order(2)
  static class GapCase {
    @Test
    void theTunnelStillLeadsToTheServer() throws Exception {
      int port = injected.get(SuiteFirstCase.class);
      try (Socket socket = new Socket("127.0.0.1", port)) {
        assertThat(banner(socket)).isEqualTo("SSH-2.0-");
      }
      injected.put(GapCase.class, port);
    }
  }

  @Order(3)
  @SshTunnel(name = "ssh", port = 22) // declared again, identically: still the run's one tunnel
  static class SuiteSecondCase extends SuiteBase {
    @Test
    void second(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      record(master, port);
      // The first class's connection through the tunnel is still up: the rest of the banner.
      heldOpen.setSoTimeout(10_000);
      int next = heldOpen.getInputStream().read();
      assertThat(next).as("next byte of sshd's banner on the held connection").isNotEqualTo(-1);
    }
  }

  @Order(1)
  static class IdleFirstCase extends SuiteBase {
    @Test
    void first(SshMaster master, @ForwardedPort("ssh") int port) {
      record(master, port);
    }
  }

  /** A class that does not use the master: while it runs, the master closes for being idle. */
  @Order(2)
  static class IdleGapCase {
    @Test
    void theMasterClosesItsConnection() {
      EngineMaster master = (EngineMaster) masters.get(IdleFirstCase.class);
      assertThat(
              Poll.until(
                  Duration.ofSeconds(20), Duration.ofMillis(20), () -> !master.isConnected()))
          .as("idle close within 20 s")
          .isTrue();
    }
  }

  @Order(3)
  static class IdleSecondCase extends SuiteBase {
    @Test
    void second(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      record(master, port);
      try (Socket socket = new Socket("127.0.0.1", port)) {
        assertThat(banner(socket)).as("through the kept tunnel, reopened").isEqualTo("SSH-2.0-");
      }
    }
  }

  @SshTunnel(name = "ssh", port = 22)
  @SshTunnel(name = "ssh-too", port = 22)
  static class ClassScopeCase {
    @Test
    void unknownName(@ForwardedPort("ssh") int port, @ForwardedPort("ssh-too") int other) {
      injected.put(ClassScopeCase.class, port);
      looked.put(ClassScopeCase.class, other);
      try {
        ForwardedPorts.port(ClassScopeCase.class, "nope");
      } catch (RuntimeException e) {
        failures.put(ClassScopeCase.class, e);
      }
    }

    @Nested
    @SshTunnel(name = "ssh-too", port = 22)
    class Inner {
      @Test
      void findsTheEnclosingTunnel(@ForwardedPort("ssh-too") int own) {
        injected.put(Inner.class, own);
        looked.put(Inner.class, ForwardedPorts.port(Inner.class, "ssh"));
        lookedThroughBase.put(Inner.class, ForwardedPorts.port(Inner.class, "ssh-too"));
      }
    }
  }

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @SshTunnel(name = "ssh", port = 22)
  static class PerClassCase {
    final int port = ForwardedPorts.port(PerClassCase.class, "ssh");

    @Test
    void neverRuns() {}
  }

  /** Both classes wait here until the other is open too. */
  static final CyclicBarrier bothOpen = new CyclicBarrier(2);

  @SshTunnel(name = "ssh", port = 22)
  abstract static class ClassBase {
    @Test
    void lookUpThroughTheBase(@ForwardedPort("ssh") int port) throws Exception {
      injected.put(getClass(), port);
      bothOpen.await(60, TimeUnit.SECONDS);
      try {
        ForwardedPorts.port(ClassBase.class, "ssh");
      } catch (RuntimeException e) {
        failures.put(getClass(), e);
      }
      bothOpen.await(60, TimeUnit.SECONDS); // neither closes before the other has looked
    }
  }

  static class ClassOneCase extends ClassBase {}

  static class ClassTwoCase extends ClassBase {}
}
