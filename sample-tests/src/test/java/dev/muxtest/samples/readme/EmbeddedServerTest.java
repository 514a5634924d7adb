package dev.muxtest.samples.readme;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshServer;
import org.junit.jupiter.api.Test;

// README:start
@SshMultiplexing
class EmbeddedServerTest {

  @SshServer // Apache MINA SSHD's server in this JVM, on 127.0.0.1: no Docker needed
  static EmbeddedSshServer server = new EmbeddedSshServer();

  @Test
  void runsCommandsOnTheTestMachine(SshMaster master) {
    assertThat(master.exec("echo $SSH_CONNECTION").stdout()).startsWith("127.0.0.1 ");
    assertThat(master).usedSingleTcpConnection(); // the server's own record agrees
  }
}
// README:end
