package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SshHost#fromSshConfig} with {@code Host} wildcards and {@code ProxyJump}, against three
 * containers treated as real machines ({@link StagingNetwork}: keys and known_hosts on disk, one
 * key and one known_hosts file per host), on both engines: the config alone says how each host is
 * reached; each hop logs in with its own key and is checked against its own known_hosts; an
 * impostor at either hop is refused.
 */
class SshConfigJumpTest {

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

  /**
   * The team's config: the bastion by its address, every {@code *.internal} host through it; the
   * bastion's known_hosts file as given.
   */
  private static Path config(Path bastionKnownHosts, Path dbKnownHosts, String... dbLines)
      throws IOException {
    SshHost bastion = network.bastion();
    List<String> lines = new ArrayList<>(List.of(dbLines));
    lines.addAll(
        List.of(
            "Host bastion",
            "  HostName " + bastion.host(),
            "  Port " + bastion.port(),
            "  IdentityFile " + bastion.identityFile(),
            "  UserKnownHostsFile " + bastionKnownHosts,
            "Host db.internal",
            "  IdentityFile " + network.db().identityFile(),
            "  UserKnownHostsFile " + dbKnownHosts,
            "Host app.internal",
            "  IdentityFile " + network.app().identityFile(),
            "  UserKnownHostsFile " + network.app().knownHostsFile(),
            "Host *.internal",
            "  ProxyJump bastion",
            "Host *",
            "  User " + SshdContainer.USER,
            ""));
    return Files.writeString(Files.createTempFile(dir, "ssh_config", ""), String.join("\n", lines));
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void aHostMatchedByAWildcardIsReachedThroughTheBastionOverOneConnection(Engine engine)
      throws IOException {
    SshHost db =
        SshHost.fromSshConfig(
            config(network.bastion().knownHostsFile(), network.db().knownHostsFile()),
            StagingNetwork.DB);

    try (CloseableSshMaster master =
        SshMasters.connect(db, MasterOptions.defaults().withEngine(engine))) {
      assertThat(master.exec("hostname").stdout()).isEqualTo("db\n");
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void aTwoHopChainFromTheConfigReachesTheTarget(Engine engine) throws IOException {
    SshHost db =
        SshHost.fromSshConfig(
            config(
                network.bastion().knownHostsFile(),
                network.db().knownHostsFile(),
                "Host db.internal",
                "  ProxyJump bastion,app.internal"),
            StagingNetwork.DB);
    assertThat(db.jumpHost().orElseThrow().host()).isEqualTo(StagingNetwork.APP);

    try (CloseableSshMaster master =
        SshMasters.connect(db, MasterOptions.defaults().withEngine(engine))) {
      assertThat(master.exec("hostname").stdout()).isEqualTo("db\n");
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void anImpostorAtTheBastionIsRefused(Engine engine) throws IOException {
    SshHost bastion = network.bastion();
    SshHost db =
        SshHost.fromSshConfig(
            config(
                network.withImpostorKey(bastion).knownHostsFile(), network.db().knownHostsFile()),
            StagingNetwork.DB);

    assertRefusedAt(engine, db, "[" + bastion.host() + "]:" + bastion.port());
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void anImpostorAtTheTargetIsRefused(Engine engine) throws IOException {
    SshHost db =
        SshHost.fromSshConfig(
            config(
                network.bastion().knownHostsFile(),
                network.withImpostorKey(network.db()).knownHostsFile()),
            StagingNetwork.DB);

    assertRefusedAt(engine, db, StagingNetwork.DB);
  }

  private static void assertRefusedAt(Engine engine, SshHost target, String refusedName) {
    assertThatThrownBy(
            () -> SshMasters.connect(target, MasterOptions.defaults().withEngine(engine)).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(
            engine == Engine.MINA
                ? "Server key did not validate: " + refusedName + " presented key"
                : "Host key for " + refusedName + " has changed");
  }
}
