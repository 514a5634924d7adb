package dev.muxtest.samples.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.CloseableSshMaster;
import dev.muxtest.Engine;
import dev.muxtest.Forward;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshMasters;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A master opened without the extension: a plain JUnit class that owns its server and master. */
class ProgrammaticMasterTest {

  static SshdContainer server = new SshdContainer();

  @BeforeAll
  static void start() {
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @Test
  void opensUsesAndClosesAMaster() throws Exception {
    // README:start
    CloseableSshMaster master =
        SshMasters.connect(server, MasterOptions.engine(Engine.OPENSSH)); // or an SshHost
    try (master) {
      assertThat(master.exec("hostname").exitCode()).isZero();
      Forward ssh = master.forwardLocal("localhost", 22);
      try (Socket socket = new Socket("127.0.0.1", ssh.localPort())) {
        assertThat(ForwardsTest.banner(socket)).isEqualTo("SSH-2.0");
      }
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    } // forwards and connection closed
    assertThatThrownBy(() -> master.exec("true")).isInstanceOf(SshOperationException.class);
    // README:end
  }
}
