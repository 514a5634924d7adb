package dev.muxtest;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.KeyMaterial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A host behind a bastion, both logged in to with one Ed25519 key made by the real {@code
 * ssh-keygen} ({@link SshHost#withJumpHost}), on both engines: the jump host's login and the
 * target's use the user's modern key, as on a real network.
 */
class SshKeygenJumpHostTest {

  @TempDir static Path dir;
  static SshTopology topology;
  static Path key;
  static Path knownHosts;

  @BeforeAll
  static void startABastionAndATargetThatTrustTheKeygenKey() throws Exception {
    key = dir.resolve("id_ed25519");
    Process keygen =
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
            .redirectErrorStream(true)
            .start();
    keygen.getOutputStream().close();
    String output = new String(keygen.getInputStream().readAllBytes());
    assertThat(keygen.waitFor(30, SECONDS)).as("ssh-keygen finished").isTrue();
    assertThat(keygen.exitValue()).as(output).isZero();
    topology = new SshTopology();
    topology.start();
    var publicKey =
        AuthorizedKeyEntry.readAuthorizedKeys(Path.of(key + ".pub"))
            .get(0)
            .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    topology.bastion().authorizeKey(publicKey);
    topology.target().authorizeKey(publicKey);
    List<String> lines = new ArrayList<>();
    lines.add(
        "["
            + topology.bastion().host()
            + "]:"
            + topology.bastion().port()
            + " "
            + KeyMaterial.publicKeyLine(topology.bastion().hostKey()));
    lines.add(
        SshTopology.TARGET_ALIAS + " " + KeyMaterial.publicKeyLine(topology.target().hostKey()));
    knownHosts = Files.write(dir.resolve("known_hosts"), lines);
  }

  @AfterAll
  static void stopTheTopology() {
    if (topology != null) {
      topology.stop();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void theTargetBehindTheBastionTakesTheKeygenKeyAtBothHops(Engine engine) {
    SshdContainer bastion = topology.bastion();
    SshHost target =
        SshHost.of(SshTopology.TARGET_ALIAS, 22, topology.target().user(), key, knownHosts)
            .withJumpHost(
                SshHost.of(bastion.host(), bastion.port(), bastion.user(), key, knownHosts));

    try (CloseableSshMaster master = SshMasters.connect(target, MasterOptions.engine(engine))) {
      assertThat(master.exec("whoami").stdout().strip()).isEqualTo(topology.target().user());
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }
}
