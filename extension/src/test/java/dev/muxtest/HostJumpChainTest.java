package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * {@link SshHost#withJumpHost}: hosts of a staging network ({@link StagingNetwork}) reached through
 * a bastion, and through a chain of two hops, with a user's key files and known_hosts on disk; on
 * both engines, with {@link SshMasters#connect(SshHost, MasterOptions)} and under the extension.
 * Each host has a key of its own (authorised there alone) and a known_hosts file holding only its
 * own key: an engine that logged in to a hop with another hop's key, or checked a hop's key against
 * another hop's file, would be refused.
 */
class HostJumpChainTest {

  private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static StagingNetwork network;

  @BeforeAll
  static void startTheNetwork() {
    network = new StagingNetwork(dir.resolve("home")).start();
  }

  @AfterAll
  static void stopTheNetwork() {
    if (network != null) {
      network.close();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void aHostBehindTheBastionRunsCommandsAndForwardsOverOneConnection(Engine engine)
      throws IOException {
    SshHost db = network.db().withJumpHost(network.bastion());

    try (CloseableSshMaster master =
        SshMasters.connect(db, MasterOptions.defaults().withEngine(engine))) {
      assertThat(master.exec("hostname").stdout()).isEqualTo("db\n");
      // "localhost" as the target resolves it: only the target's own service answers "db".
      Forward forward = master.forwardLocal("localhost", StagingNetwork.HTTP_PORT);
      assertThat(httpGet(forward.localPort())).isEqualTo("db\n");
      // The internal network's name, resolved by the target too.
      Forward byName = master.forwardLocal(StagingNetwork.APP, StagingNetwork.HTTP_PORT);
      assertThat(httpGet(byName.localPort())).isEqualTo("app\n");

      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
      ConnectionReport report = master.connectionReport();
      assertThat(report.singleConnection()).as(report.toString()).isTrue();
      // The target's log: the one login came from the bastion.
      assertThat(report.serverEvidence().get(0))
          .contains(" from " + addressOf(master, StagingNetwork.BASTION) + " port ");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void aTwoHopChainReachesTheTargetThroughTheMiddleHost(Engine engine) throws IOException {
    SshHost db = network.db().withJumpHost(network.app().withJumpHost(network.bastion()));

    try (CloseableSshMaster master =
        SshMasters.connect(db, MasterOptions.defaults().withEngine(engine))) {
      assertThat(master.exec("hostname").stdout()).isEqualTo("db\n");
      Forward forward = master.forwardLocal("localhost", StagingNetwork.HTTP_PORT);
      assertThat(httpGet(forward.localPort())).isEqualTo("db\n");
      for (int i = 0; i < 3; i++) {
        assertThat(master.exec("echo " + i).stdout()).isEqualTo(i + "\n");
      }

      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
      // Counted by this machine's kernel, not by the engine: one connection to the bastion.
      assertThat(establishedConnectionsTo(network.bastion().port())).isEqualTo(1);
      if (engine == Engine.OPENSSH) {
        // The real client's ProxyJump: one ssh per hop, each given the master's own config file
        // (so none reads ~/.ssh/config), the first hop's the only one with a TCP connection.
        Path config = master.controlPath().orElseThrow().resolveSibling("config");
        assertThat(
                ProcessHandle.allProcesses()
                    .map(process -> process.info().commandLine().orElse(""))
                    .filter(line -> line.contains(" -W ") && line.contains(config.toString())))
            .hasSize(2)
            .allMatch(line -> line.contains(" -F " + config + " "))
            .anyMatch(line -> line.endsWith(" muxtest-jump-1"))
            .anyMatch(line -> line.endsWith(" muxtest-jump-2"));
      }
      ConnectionReport report = master.connectionReport();
      assertThat(report.singleConnection()).as(report.toString()).isTrue();
      // The target's one login came from the middle host, not from the bastion.
      assertThat(report.serverEvidence().get(0))
          .contains(" from " + addressOf(master, StagingNetwork.APP) + " port ");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void anImpostorAtTheFirstHopIsRefused(Engine engine) {
    SshHost bastion = network.withImpostorKey(network.bastion());
    SshHost db = network.db().withJumpHost(network.app().withJumpHost(bastion));

    assertRefusedAt(engine, db, "[" + bastion.host() + "]:" + bastion.port());
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void anImpostorAtTheSecondHopIsRefused(Engine engine) {
    SshHost app = network.withImpostorKey(network.app()).withJumpHost(network.bastion());
    SshHost db = network.db().withJumpHost(app);

    assertRefusedAt(engine, db, StagingNetwork.APP);
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void anImpostorAtTheTargetIsRefused(Engine engine) {
    SshHost db =
        network
            .withImpostorKey(network.db())
            .withJumpHost(network.app().withJumpHost(network.bastion()));

    assertRefusedAt(engine, db, StagingNetwork.DB);
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void underTheExtensionAClassRunsOnTheEndOfTheChain(Engine engine) {
    ChainCase.server = network.db().withJumpHost(network.app().withJumpHost(network.bastion()));

    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(ChainCase.class))
            .configurationParameters(Map.of("muxtest.engine", engine.name()))
            .execute();

    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    String connections =
        results
            .allEvents()
            .reportingEntryPublished()
            .map(
                e ->
                    e.getRequiredPayload(ReportEntry.class)
                        .getKeyValuePairs()
                        .get("muxtest.connections"))
            .filter(Objects::nonNull)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no muxtest.connections report entry"));
    assertThat(connections)
        .startsWith("client TCP connections: 1, server authenticated connections: 1,");
  }

  /**
   * The refusal names the hop whose key was refused, under the name it is looked up by, and says
   * what happened to its key.
   */
  private static void assertRefusedAt(Engine engine, SshHost target, String refusedName) {
    assertThatThrownBy(
            () -> SshMasters.connect(target, MasterOptions.defaults().withEngine(engine)).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(
            engine == Engine.MINA
                ? "Server key did not validate: " + refusedName + " presented key"
                : "Host key for " + refusedName + " has changed");
  }

  /** The address of {@code name} on the internal network, as the target resolves it. */
  private static String addressOf(SshMaster master, String name) {
    String line = master.exec("getent ahostsv4 " + name).stdout().strip();
    assertThat(line).as("the target resolves " + name).isNotEmpty();
    return line.split("\\s+")[0];
  }

  /**
   * The established TCP connections of this machine to {@code port} (the bastion's published port),
   * as the kernel lists them in /proc/net/tcp and tcp6: the client ends only, whatever process
   * holds them.
   */
  private static long establishedConnectionsTo(int port) throws IOException {
    long count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.isReadable(file)) {
        continue;
      }
      // Read once: the table changes between two reads as connections come and go.
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] columns = line.strip().split("\\s+");
        String remote = columns[2];
        int remotePort = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
        if (remotePort == port && columns[3].equals("01")) { // 01: ESTABLISHED
          count++;
        }
      }
    }
    return count;
  }

  /** The body of {@code GET /} on a loopback port. */
  private static String httpGet(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress("127.0.0.1", port), Math.toIntExact(IO_TIMEOUT.toMillis()));
      socket.setSoTimeout(Math.toIntExact(IO_TIMEOUT.toMillis()));
      OutputStream out = socket.getOutputStream();
      out.write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int body = response.indexOf("\r\n\r\n");
      assertThat(body).as("an HTTP response: " + response).isPositive();
      return response.substring(body + 4);
    }
  }

  // Fixture: run only through the engine test kit (Surefire skips nested classes).

  @SshMultiplexing
  static class ChainCase {
    @SshServer static SshHost server;

    @Test
    void runsOnTheTarget(SshMaster master) throws IOException {
      assertThat(master.exec("hostname").stdout()).isEqualTo("db\n");
      Forward forward = master.forwardLocal("localhost", StagingNetwork.HTTP_PORT);
      assertThat(httpGet(forward.localPort())).isEqualTo("db\n");
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }
}
