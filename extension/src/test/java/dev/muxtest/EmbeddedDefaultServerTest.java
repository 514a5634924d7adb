package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.muxtest.assertj.MuxAssertions;
import dev.muxtest.internal.engine.DefaultServer;
import dev.muxtest.internal.engine.Settings;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The embedded server in the extension, on a machine without Docker (the extension's Docker
 * detector answers no): the default server of classes that declare none with {@code
 * muxtest.defaultServer=embedded}, a declared {@code @SshServer EmbeddedSshServer}, SUITE scope;
 * and the error that names the option when a class would need Docker.
 */
class EmbeddedDefaultServerTest {

  static final Map<Class<?>, SshMaster> masters = new ConcurrentHashMap<>();
  static final Map<Class<?>, Integer> serverPorts = new ConcurrentHashMap<>();

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void withoutDockerAClassThatDeclaresNoServerRunsOnAnEmbeddedOne(Engine engine) throws Exception {
    EngineExecutionResults results =
        withoutDocker(engine)
            .configurationParameter(Settings.DEFAULT_SERVER.name(), "embedded")
            .selectors(selectClass(NoServerDeclaredCase.class))
            .execute();

    assertAllPass(results, 1);
    // The end-of-class proof passed on the embedded server's own record of the one login.
    assertThat(reportEntries(results).get("muxtest.connections"))
        .startsWith("client TCP connections: 1, server authenticated connections: 1, key SHA256:");
    assertThat(masters.get(NoServerDeclaredCase.class).engine()).isEqualTo(engine);
    // Started for the class, stopped after it.
    int port = serverPorts.get(NoServerDeclaredCase.class);
    assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 5_000))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void aDeclaredEmbeddedServerIsNotSkippedWithoutDockerAndOneRunningAlreadyIsLeftRunning() {
    EmbeddedSshServerCase.server.start();
    try {
      EngineExecutionResults results =
          withoutDocker(Engine.MINA)
              .selectors(
                  selectClass(EmbeddedSshServerCase.class),
                  selectClass(StartedByTheExtensionCase.class))
              .execute();

      assertAllPass(results, 2);
      assertThat(EmbeddedSshServerCase.server.isRunning()).as("running before the class").isTrue();
      assertThat(StartedByTheExtensionCase.server.isRunning())
          .as("started by the extension")
          .isFalse();
    } finally {
      EmbeddedSshServerCase.server.stop();
    }
  }

  @Test
  void suiteScopeSharesOneMasterOnTheDefaultEmbeddedServer() {
    EngineExecutionResults results =
        withoutDocker(Engine.MINA)
            .configurationParameter(Settings.DEFAULT_SERVER.name(), "EMBEDDED")
            .configurationParameter(Settings.SCOPE.name(), "SUITE")
            .selectors(selectClass(SuiteOneCase.class), selectClass(SuiteTwoCase.class))
            .execute();

    assertAllPass(results, 2);
    assertThat(masters.get(SuiteTwoCase.class)).isSameAs(masters.get(SuiteOneCase.class));
    assertThat(masters.get(SuiteOneCase.class).check()).as("closed with the run").isFalse();
  }

  @Test
  void withoutDockerADeclaredContainerFailsNamingTheEmbeddedServer() {
    withoutDocker(Engine.MINA)
        .selectors(selectClass(ContainerDeclaredCase.class))
        .execute()
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(ContainerDeclaredCase.class),
                finishedWithFailure(
                    instanceOf(SshOperationException.class),
                    message(
                        m ->
                            m.contains("needs a Docker environment for its SSH server")
                                && m.contains(
                                    "declare an EmbeddedSshServer as its @SshServer to use an SSH "
                                        + "server in the test JVM instead")))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", " EMBEDDED ", "Embedded"})
  void theDefaultServerKeyAcceptsEmbeddedInAnyCase(String value) {
    assertThat(
            Settings.from(
                    key ->
                        Optional.of(value).filter(v -> key.equals(Settings.DEFAULT_SERVER.name())))
                .defaultServer())
        .isEqualTo(DefaultServer.EMBEDDED);
    assertThat(Settings.DEFAULTS.defaultServer()).isEqualTo(DefaultServer.CONTAINER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker", "", "embedded;rm -rf /"})
  void anUnknownDefaultServerFailsNamingTheKey(String value) {
    assertThatThrownBy(
            () ->
                Settings.from(
                    key ->
                        Optional.of(value).filter(v -> key.equals(Settings.DEFAULT_SERVER.name()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.defaultServer' must be container or embedded, but was '"
                + value.strip()
                + "'");
  }

  // --- fixtures --------------------------------------------------------------------------------

  @SshTunnel(name = "socks", type = ForwardType.DYNAMIC)
  static class NoServerDeclaredCase {
    @Test
    void commandsATunnelAndARunTimeForward(SshMaster master, @ForwardedPort("socks") Proxy socks)
        throws Exception {
      masters.put(NoServerDeclaredCase.class, master);
      String[] connection = master.exec("echo $SSH_CONNECTION").stdout().strip().split(" ");
      assertThat(connection).hasSize(4);
      assertThat(connection[2]).as("the server's address").isEqualTo("127.0.0.1");
      serverPorts.put(NoServerDeclaredCase.class, Integer.parseInt(connection[3]));

      ExecutorService answering = Executors.newSingleThreadExecutor();
      try (ServerSocket jvm = new ServerSocket()) {
        jvm.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        jvm.setSoTimeout(30_000);
        answering.execute(() -> answerHello(jvm, 2));

        try (Socket socket = new Socket(socks)) {
          socket.connect(
              InetSocketAddress.createUnresolved("127.0.0.1", jvm.getLocalPort()), 10_000);
          assertThat(readLine(socket)).isEqualTo("hello");
        }
        try (Forward forward = master.forwardLocal("localhost", jvm.getLocalPort());
            Socket socket = new Socket()) {
          socket.connect(forward.localAddress(), 10_000);
          assertThat(readLine(socket)).isEqualTo("hello");
        }
      } finally {
        MultiplexingConformance.shutDown(answering);
      }
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }

  @SshMultiplexing(disabledWithoutDocker = true)
  static class EmbeddedSshServerCase {
    @SshServer static EmbeddedSshServer server = new EmbeddedSshServer();

    @Test
    void runs(SshMaster master) {
      assertThat(master.exec("echo ran").stdout()).isEqualTo("ran\n");
    }
  }

  @SshMultiplexing
  static class StartedByTheExtensionCase {
    @SshServer static EmbeddedSshServer server = new EmbeddedSshServer().withMaxSessions(3);

    @Test
    void runs(SshMaster master) {
      assertThat(server.isRunning()).isTrue();
      assertThat(master.exec("echo ran").stdout()).isEqualTo("ran\n");
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  static class SuiteOneCase {
    @Test
    void one(SshMaster master) {
      masters.put(SuiteOneCase.class, JUnitFitTest.underlying(master));
      assertThat(master.exec("echo one").stdout()).isEqualTo("one\n");
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  static class SuiteTwoCase {
    @Test
    void two(SshMaster master) {
      masters.put(SuiteTwoCase.class, JUnitFitTest.underlying(master));
      assertThat(master.exec("echo two").stdout()).isEqualTo("two\n");
    }
  }

  @SshMultiplexing
  static class ContainerDeclaredCase {
    @SshServer static SshdContainer server = new SshdContainer();

    @Test
    void neverRuns() {}
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static EngineTestKit.Builder withoutDocker(Engine engine) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(
            "muxtest.internal.dockerDetector", JUnitFitTest.NoDocker.class.getName())
        .configurationParameter(Settings.ENGINE.name(), engine.name());
  }

  private static void answerHello(ServerSocket listener, int connections) {
    for (int i = 0; i < connections; i++) {
      try (Socket socket = listener.accept()) {
        socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
      } catch (java.io.IOException e) {
        return; // closed at the end of the test
      }
    }
  }

  private static String readLine(Socket socket) throws java.io.IOException {
    socket.setSoTimeout(10_000);
    InputStream in = socket.getInputStream();
    return new String(in.readNBytes(6), StandardCharsets.US_ASCII).strip();
  }

  private static Map<String, String> reportEntries(EngineExecutionResults results) {
    return results.allEvents().reportingEntryPublished().stream()
        .flatMap(e -> e.getPayload(ReportEntry.class).stream())
        .flatMap(entry -> entry.getKeyValuePairs().entrySet().stream())
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
  }

  private static void assertAllPass(EngineExecutionResults results, int tests) {
    List<Throwable> failures =
        results.allEvents().failed().stream()
            .flatMap(
                e ->
                    e
                        .getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable)
                        .stream())
            .toList();
    assertThat(failures).as("failures").isEmpty();
    results.testEvents().assertStatistics(stats -> stats.succeeded(tests).skipped(0));
  }
}
