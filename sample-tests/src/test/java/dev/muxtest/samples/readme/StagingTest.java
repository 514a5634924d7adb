package dev.muxtest.samples.readme;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.SshHost;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

@SshMultiplexing
class StagingTest {

  @SshServer // in your repository: SshHost.fromSshConfig(Path.of("ssh_config"), "staging")
  static SshHost server = SshHost.fromSshConfig(StagingHost.sshConfig(), "staging");

  @Test
  void runsOnStaging(SshMaster master) {
    assertThat(master.exec("hostname").exitCode()).isZero();
    assertThat(master).hasOpenedTcpConnections(1); // the host's own log is out of reach
  }

  @AfterAll
  static void stopStagingHost() throws Exception {
    StagingHost.stop(); // only here, where a container plays the staging host
  }
}
