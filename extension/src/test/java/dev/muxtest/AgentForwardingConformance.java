package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.assertj.MuxAssertions;
import dev.muxtest.internal.engine.KeyMaterial;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.images.builder.Transferable;

/**
 * Agent forwarding, run per engine by {@link MinaAgentForwardingTest} and {@link
 * OpenSshAgentForwardingTest}: the master's server hops on to a further host with a key that only
 * the test JVM's agent holds. In order: refused before the key is in the agent, accepted after.
 */
@TestMethodOrder(OrderAnnotation.class)
abstract class AgentForwardingConformance {

  /** The further host's own ssh command line, with its host key pinned (written by each test). */
  static final String HOP =
      "ssh -o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=yes"
          + " -o UserKnownHostsFile=/tmp/known_further -o HostKeyAlias=further tester@further cat /etc/muxtest-role";

  /** A further host, which accepts only {@code key}. */
  static SshdContainer furtherHost(KeyPair key) {
    return new SshdContainer()
        .withAuthorizedKey(key.getPublic())
        .withCopyToContainer(Transferable.of("further\n"), "/etc/muxtest-role");
  }

  /**
   * A bastion and target, with {@code further} on the internal network, where only the target
   * reaches it.
   */
  static SshTopology topology(SshdContainer further) {
    return new SshTopology().withService(further, "further");
  }

  abstract KeyPair agentKey();

  abstract SshdContainer further();

  @AfterEach
  void oneConnection(SshMaster master) {
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }

  @Test
  @Order(1)
  void withoutTheKeyInTheAgentTheHopIsRefused(SshMaster master) {
    pinFurther(master);
    assertThat(master.exec("test -S \"$SSH_AUTH_SOCK\" && echo forwarded").stdout())
        .isEqualTo("forwarded\n");

    ExecResult hop = master.exec(HOP);

    assertThat(hop.exitCode()).isEqualTo(255);
    assertThat(hop.stderr()).contains("Permission denied (publickey)");
  }

  @Test
  @Order(2)
  void withTheKeyInTheAgentTheTargetHopsOnAndHoldsNoPrivateKey(SshMaster master) {
    pinFurther(master);
    master.addAgentKey(agentKey());

    ExecResult hop = master.exec(HOP);

    assertThat(hop.exitCode()).as(hop.stderr()).isZero();
    assertThat(hop.stdout()).isEqualTo("further\n");
    assertThat(master.exec("ssh-add -l").stdout())
        .contains(KeyMaterial.fingerprint(agentKey().getPublic()));
    // The key is the agent's: no private key file on the target.
    assertThat(master.exec("grep -rl 'PRIVATE KEY' ~ /tmp 2>/dev/null; true").stdout()).isEmpty();
    assertThat(further().acceptedPublicKeyLogins(agentKey().getPublic())).hasSize(1);
  }

  private void pinFurther(SshMaster master) {
    String line = "further " + KeyMaterial.publicKeyLine(further().hostKey());
    assertThat(master.exec("printf '%s\\n' '" + line + "' > /tmp/known_further").exitCode())
        .isZero();
  }
}
