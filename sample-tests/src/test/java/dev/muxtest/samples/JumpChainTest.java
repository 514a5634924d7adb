package dev.muxtest.samples;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.SshHost;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A host behind a bastion without a config file: {@code SshHost.withJumpHost}. Containers stand in
 * for the machines ({@link StandInStaging}); a team writes its own names, keys and known_hosts.
 */
// README:start
@SshMultiplexing
class JumpChainTest {

  static StandInStaging.Machines staging = StandInStaging.machines(); // your own values instead
  static Path key = staging.identity();
  static Path knownHosts = staging.knownHosts(); // the bastion and app.internal, by those names

  static SshHost bastion =
      SshHost.of(staging.bastionHost(), staging.bastionPort(), staging.user(), key, knownHosts);

  @SshServer // this machine -> bastion -> app.internal, resolved by the bastion
  static SshHost app =
      SshHost.of("app.internal", 22, staging.user(), key, knownHosts).withJumpHost(bastion);

  @Test
  void runsOnTheHostBehindTheBastion(SshMaster master) {
    assertThat(master.exec("hostname").stdout()).isEqualTo("app\n");
    assertThat(master).hasOpenedTcpConnections(1); // to the bastion, carrying everything
  }

  @AfterAll
  static void stopTheStandIns() {
    StandInStaging.stop(); // only here, where containers stand in for the machines
  }
}
// README:end
