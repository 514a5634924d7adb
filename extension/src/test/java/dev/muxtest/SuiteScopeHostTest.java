package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.internal.engine.KeyMaterial;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * {@code @SshMultiplexing(scope = Scope.SUITE)} with a server outside the test ({@link SshHost}):
 * two classes that name the same host object share one master, and so one TCP connection, for the
 * whole run, which closes it at its end. The host is a container this test starts itself and treats
 * as an outside host (key and known_hosts on disk), as {@link RealHostTest} does.
 */
class SuiteScopeHostTest {

  static final SshdContainer outside = new SshdContainer();

  @TempDir static Path dir;
  static Path identity;
  static Path knownHosts;

  /** What each fixture class saw: its master (the shared one behind the method's view), ... */
  static final Map<Class<?>, SshMaster> masters = new ConcurrentHashMap<>();

  /** ... the client port of its session ($SSH_CONNECTION's second field), ... */
  static final Map<Class<?>, String> clientPorts = new ConcurrentHashMap<>();

  /** ... and the master's connection report at the end of its test. */
  static final Map<Class<?>, ConnectionReport> reports = new ConcurrentHashMap<>();

  @BeforeAll
  static void startTheOutsideHost() throws Exception {
    outside.start();
    KeyPair key = KeyMaterial.generate();
    outside.authorizeKey(key.getPublic());
    identity = dir.resolve("id_ecdsa");
    Files.write(identity, KeyMaterial.openSshPrivateKey(key, "suite scope host test key"));
    Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
    knownHosts =
        Files.writeString(
            dir.resolve("known_hosts"),
            "["
                + outside.host()
                + "]:"
                + outside.port()
                + " "
                + KeyMaterial.publicKeyLine(outside.hostKey())
                + "\n");
  }

  @AfterAll
  static void stopIt() {
    outside.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void twoClassesNamingTheSameHostShareOneMasterAndOneConnectionForTheRun(Engine engine) {
    masters.clear();
    clientPorts.clear();
    reports.clear();
    SshHost host =
        SshHost.of(outside.host(), outside.port(), outside.user(), identity, knownHosts)
            .withLoginLog(outside::getLogs);
    // One object, named by both classes' @SshServer fields.
    FirstCase.server = host;
    SecondCase.server = host;

    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            // One class after the other, in their @Order: "the second class" is then well defined.
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
            .configurationParameter(
                "junit.jupiter.testclass.order.default",
                "org.junit.jupiter.api.ClassOrderer$OrderAnnotation")
            .selectors(selectClass(SecondCase.class), selectClass(FirstCase.class))
            .execute();

    results.allEvents().failed().stream()
        .flatMap(
            e ->
                e
                    .getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .stream())
        .forEach(Throwable::printStackTrace);
    results.allEvents().assertStatistics(stats -> stats.failed(0));
    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));

    SshMaster shared = masters.get(FirstCase.class);
    assertThat(shared).isNotNull();
    assertThat(masters.get(SecondCase.class)).as("the second class's master").isSameAs(shared);
    assertThat(shared.engine()).isEqualTo(engine);
    assertThat(clientPorts.get(SecondCase.class))
        .as("client port of the second class's session")
        .isNotNull()
        .isEqualTo(clientPorts.get(FirstCase.class));

    // Seen from the second class, after the first one's commands and forward: still one connection,
    // on both sides, and the server logged it from the client port both classes' sessions came
    // from.
    ConnectionReport second = reports.get(SecondCase.class);
    assertThat(second.clientTcpConnections()).isEqualTo(1);
    assertThat(second.singleConnection()).as("report %s", second).isTrue();
    assertThat(second.serverEvidence())
        .singleElement()
        .asString()
        .contains(" port " + clientPorts.get(SecondCase.class) + " ");
    // Each class's end-of-class proof covered the run so far, with the server's side (the login
    // log).
    assertThat(connectionsEntries(results))
        .hasSize(2)
        .allSatisfy(
            entry ->
                assertThat(entry)
                    .startsWith("client TCP connections: 1, server authenticated connections: 1,"));

    // The run closed the master; the outside host itself is not the extension's to stop.
    assertThat(shared.check()).as("closed with the run").isFalse();
    assertThatThrownBy(() -> shared.exec("true"))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("is closed");
    assertThat(shared.connectionReport().clientTcpConnections()).isEqualTo(1);
    Optional<Path> controlPath = shared.controlPath();
    assertThat(controlPath.isPresent()).isEqualTo(engine == Engine.OPENSSH);
    controlPath.ifPresent(
        path -> assertThat(path).as("control socket removed with the master").doesNotExist());
    assertThat(outside.isRunning()).isTrue();
  }

  private static List<String> connectionsEntries(EngineExecutionResults results) {
    return results
        .allEvents()
        .reportingEntryPublished()
        .map(
            e ->
                e.getRequiredPayload(ReportEntry.class)
                    .getKeyValuePairs()
                    .get("muxtest.connections"))
        .filter(Objects::nonNull)
        .toList();
  }

  static void record(Class<?> fixture, SshMaster master) throws Exception {
    masters.put(fixture, JUnitFitTest.underlying(master));
    ExecResult connection = master.exec("echo $SSH_CONNECTION");
    assertThat(connection.exitCode()).isZero();
    // "client-address client-port server-address server-port"
    String[] fields = connection.stdout().strip().split(" ");
    assertThat(fields).as("$SSH_CONNECTION: %s", connection.stdout()).hasSize(4);
    clientPorts.put(fixture, fields[1]);
    try (Forward forward = master.forwardLocal("localhost", SshdContainer.SSH_PORT);
        Socket socket = new Socket()) {
      socket.connect(forward.localAddress(), 10_000);
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      assertThat(new String(in.readNBytes(8), StandardCharsets.US_ASCII)).isEqualTo("SSH-2.0-");
    }
    reports.put(fixture, master.connectionReport());
  }

  // Fixtures: run only through the engine test kit (Surefire skips nested classes).

  @SshMultiplexing(scope = Scope.SUITE)
  @Order(1)
  static class FirstCase {
    @SshServer static SshHost server;

    @Test
    void first(SshMaster master) throws Exception {
      record(FirstCase.class, master);
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  @Order(2)
  static class SecondCase {
    @SshServer static SshHost server;

    @Test
    void second(SshMaster master) throws Exception {
      record(SecondCase.class, master);
    }
  }
}
