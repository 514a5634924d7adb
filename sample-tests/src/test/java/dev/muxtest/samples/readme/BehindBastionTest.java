package dev.muxtest.samples.readme;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshServer;
import dev.muxtest.SshTopology;
import dev.muxtest.SshTunnel;
import dev.muxtest.SshdContainer;
import java.net.Socket;
import org.junit.jupiter.api.Test;

// README:start
@SshTunnel(name = "ssh", host = "target", port = 22) // "target": a name on the internal network
class BehindBastionTest {

  static SshTopology topology = new SshTopology(); // a bastion, and a target only it can reach

  @SshServer static SshdContainer server = topology.target();

  @Test
  void reachesTheTargetThroughTheBastion(@ForwardedPort("ssh") int port, SshMaster master)
      throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      assertThat(ForwardsTest.banner(socket)).isEqualTo("SSH-2.0");
    }
    assertThat(master.exec("hostname").exitCode()).isZero();
    assertThat(master).usedSingleTcpConnection(); // one TCP connection: to the bastion
  }
}
// README:end
