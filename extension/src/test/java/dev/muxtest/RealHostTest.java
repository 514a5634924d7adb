package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
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
 * A server outside the test ({@link SshHost}): a container this test starts itself and treats as a
 * real host, with the client key and known_hosts written to disk, given by address or by an ssh
 * config alias, on both engines.
 */
class RealHostTest {

  static final SshdContainer outside = new SshdContainer();
  static final SshdContainer impostor = new SshdContainer();

  @TempDir static Path dir;
  static Path identity;
  static KeyPair key;
  static Path knownHosts;
  static Path wrongKnownHosts;

  @BeforeAll
  static void startTheOutsideHost() throws Exception {
    outside.start();
    impostor.start();
    key = KeyMaterial.generate();
    outside.authorizeKey(key.getPublic());
    identity = dir.resolve("id_ecdsa");
    Files.write(identity, KeyMaterial.openSshPrivateKey(key, "real host test key"));
    Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
    String hostPattern = "[" + outside.host() + "]:" + outside.port();
    knownHosts =
        Files.writeString(
            dir.resolve("known_hosts"),
            hostPattern + " " + KeyMaterial.publicKeyLine(outside.hostKey()) + "\n");
    wrongKnownHosts =
        Files.writeString(
            dir.resolve("known_hosts.wrong"),
            hostPattern + " " + KeyMaterial.publicKeyLine(impostor.hostKey()) + "\n");
  }

  @AfterAll
  static void stopIt() {
    outside.stop();
    impostor.stop();
  }

  /**
   * The OpenSSH engine puts MINA's key exchange first for a container started for the test (it
   * costs the master about 70 ms less than OpenSSH 9's post-quantum default) and leaves a real host
   * with OpenSSH's own order; both masters log in and run a command.
   */
  @Test
  void theOpenSshEnginePutsMinasKeyExchangeFirstForAContainerOnlyAndLogsInEitherWay()
      throws Exception {
    try (CloseableSshMaster host =
            SshMasters.connect(
                SshHost.of(outside.host(), outside.port(), "tester", identity, knownHosts),
                MasterOptions.engine(Engine.OPENSSH));
        CloseableSshMaster container =
            SshMasters.connect(outside, MasterOptions.engine(Engine.OPENSSH))) {
      assertThat(container.exec("echo in").stdout()).isEqualTo("in\n");
      assertThat(host.exec("echo in").stdout()).isEqualTo("in\n");

      List<String> defaults = keyExchanges(Path.of("/dev/null"), "any-host");
      List<String> forContainer = keyExchanges(configOf(container), "muxtest-server");
      assertThat(forContainer.get(0)).isEqualTo("curve25519-sha256");
      assertThat(forContainer).containsExactlyInAnyOrderElementsOf(defaults);
      assertThat(keyExchanges(configOf(host), "muxtest-server")).isEqualTo(defaults);
    }
  }

  private static Path configOf(SshMaster master) {
    return master.controlPath().orElseThrow().resolveSibling("config");
  }

  /** The key exchange algorithms {@code ssh -G} resolves for {@code alias} from {@code config}. */
  private static List<String> keyExchanges(Path config, String alias) throws Exception {
    Process ssh =
        new ProcessBuilder("ssh", "-F", config.toString(), "-G", "--", alias)
            .redirectErrorStream(true)
            .start();
    String out = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ssh.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return out.lines()
        .filter(line -> line.startsWith("kexalgorithms "))
        .findFirst()
        .map(line -> List.of(line.substring("kexalgorithms ".length()).split(",")))
        .orElseThrow(() -> new AssertionError("no kexalgorithms in ssh -G: " + out));
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void hostByAddressWithItsLogGivesTheFullProof(Engine engine) {
    HostCase.server =
        SshHost.of(outside.host(), outside.port(), "tester", identity, knownHosts)
            .withLoginLog(outside::getLogs);

    EngineExecutionResults results = run(HostCase.class, engine);

    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    assertThat(connectionsEntry(results))
        .startsWith("client TCP connections: 1, server authenticated connections: 1,");
  }

  /**
   * Another peer of the host (here a second key of the same account) ends its connection with a
   * reason worded as the master's login line; sshd logs that reason, and the proof must not count
   * it (security-review-2, R3-15).
   */
  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void aLoginLineForgedInAnotherPeersDisconnectReasonIsNotCounted(Engine engine) {
    String forged =
        "Accepted publickey for tester from 192.0.2.9 port 1 ssh2: ECDSA "
            + KeyMaterial.fingerprint(key.getPublic());
    HostCase.server =
        SshHost.of(outside.host(), outside.port(), "tester", identity, knownHosts)
            .withLoginLog(outside::getLogs);
    HostCase.duringTheTest = () -> disconnectWithReason(forged);
    EngineExecutionResults results;
    try {
      results = run(HostCase.class, engine);
    } finally {
      HostCase.duringTheTest = () -> {};
    }

    assertThat(outside.getLogs()).contains(":11: " + forged);
    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    results.containerEvents().assertStatistics(stats -> stats.failed(0));
    assertThat(connectionsEntry(results))
        .startsWith("client TCP connections: 1, server authenticated connections: 1,");
  }

  /** Logs in with a key of its own and disconnects with {@code reason}, which sshd then logs. */
  private static void disconnectWithReason(String reason) {
    KeyPair other = KeyMaterial.generate();
    outside.authorizeKey(other.getPublic());
    try (SshClient client = SshClient.setUpDefaultClient()) {
      client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
      client.start();
      try (ClientSession session =
          client
              .connect("tester", outside.host(), outside.port())
              .verify(10, TimeUnit.SECONDS)
              .getSession()) {
        session.addPublicKeyIdentity(other);
        session.auth().verify(10, TimeUnit.SECONDS);
        session.disconnect(11, reason);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(
            Poll.until(
                Duration.ofSeconds(10),
                Duration.ofMillis(50),
                () -> outside.getLogs().contains(":11: " + reason)))
        .as("sshd logged the disconnect reason")
        .isTrue();
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void hostBySshConfigAliasWithoutALogIsProvenByTheClientCount(Engine engine) throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("config"),
            String.join(
                "\n",
                "# a user's config",
                "Host other",
                "  HostName 192.0.2.1",
                "Host outside",
                "  HostName " + outside.host(),
                "  Port " + outside.port(),
                "  User tester",
                "  IdentityFile " + identity,
                "  UserKnownHostsFile " + knownHosts,
                "  ServerAliveInterval 5",
                ""));
    HostCase.server = SshHost.fromSshConfig(config, "outside");
    assertThat(HostCase.server.toString())
        .isEqualTo("tester@" + outside.host() + ":" + outside.port());

    EngineExecutionResults results = run(HostCase.class, engine);

    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    assertThat(connectionsEntry(results))
        .startsWith("client TCP connections: 1, server authenticated connections: 0,");
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void aHostKeyNotInTheKnownHostsFileIsRefused(Engine engine) {
    HostCase.server =
        SshHost.of(outside.host(), outside.port(), "tester", identity, wrongKnownHosts);

    EngineExecutionResults results = run(HostCase.class, engine);

    results.testEvents().assertStatistics(stats -> stats.started(0));
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(HostCase.class),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains(
                                engine == Engine.MINA
                                    ? "Server key did not validate"
                                    : "Host key verification failed")))));
  }

  @Test
  void configKeywordsMuxtestDoesNotFollowAreRefusedNotMisread() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("config.match"),
            String.join(
                "\n",
                "Host outside",
                "  HostName localhost",
                "Match host outside exec \"true\"",
                "  Port 2200",
                ""));

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + " line 3, Match: not supported by muxtest: a Match block can run a command"
                + " (exec) and depends on what only the connecting ssh knows; give the host's"
                + " settings in a Host block");
  }

  @Test
  void aConfigAliasWithoutKnownHostsIsRefused() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("config.noknownhosts"),
            String.join(
                "\n", "Host outside", "  HostName localhost", "  IdentityFile " + identity, ""));

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + ", Host outside: UserKnownHostsFile is missing "
                + "(muxtest reads no default known_hosts)");
  }

  private static EngineExecutionResults run(Class<?> fixture, Engine engine) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(fixture))
        .configurationParameters(Map.of("muxtest.engine", engine.name()))
        .execute();
  }

  private static String connectionsEntry(EngineExecutionResults results) {
    return results
        .allEvents()
        .reportingEntryPublished()
        .map(
            e ->
                e.getRequiredPayload(ReportEntry.class)
                    .getKeyValuePairs()
                    .get("muxtest.connections"))
        .filter(java.util.Objects::nonNull)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no muxtest.connections report entry"));
  }

  // Fixture: run only through the engine test kit (Surefire skips nested classes).

  @SshMultiplexing
  static class HostCase {
    @SshServer static SshHost server;
    static Runnable duringTheTest = () -> {};

    @Test
    void runsOnTheHost(SshMaster master) {
      duringTheTest.run();
      assertThat(master.exec("whoami").stdout()).isEqualTo("tester\n");
      assertThat(master.forwardDynamic().isOpen()).isTrue();
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }
}
