package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The embedded server does not forward to UNIX sockets (Apache MINA SSHD has no {@code
 * direct-streamlocal@openssh.com} on its server side): both engines say so at once, rather than
 * opening a listener whose every connection would be closed without a word.
 */
class EmbeddedUnixSocketTunnelTest {

  static final EmbeddedSshServer server = new EmbeddedSshServer();

  @BeforeAll
  static void start() {
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aForwardToAUnixSocketIsRefusedWithTheReason(Engine engine) {
    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      assertThatThrownBy(() -> master.forwardLocalSocket("/tmp/muxtest-any.sock"))
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("/tmp/muxtest-any.sock")
          .hasMessageContaining(
              "the embedded server (Apache MINA SSHD) does not implement UNIX-socket forwarding"
                  + " (direct-streamlocal@openssh.com)");
      assertThat(master.check()).as("the master is still usable").isTrue();
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }
}
