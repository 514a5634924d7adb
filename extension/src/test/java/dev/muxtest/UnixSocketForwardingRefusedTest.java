package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server that does not allow UNIX-socket forwarding ({@code AllowStreamLocalForwarding no}): the
 * socket accepts on the server, so the readiness check passes, but sshd refuses each channel. On
 * both engines a connection through the tunnel then ends at once, with nothing read; it never
 * hangs, and the master goes on.
 */
class UnixSocketForwardingRefusedTest {

  static final SshdContainer server =
      new SshdContainer()
          .withSshdOption("AllowStreamLocalForwarding", "no")
          .withBackgroundCommand(
              "exec socat UNIX-LISTEN:"
                  + UnixSocketTunnelConformance.ECHO
                  + ",fork,perm=0666 EXEC:cat");

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
  void eachConnectionEndsAtOnceAndTheMasterGoesOn(Engine engine) throws Exception {
    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      Forward forward = master.forwardLocalSocket(UnixSocketTunnelConformance.ECHO);

      try (Socket socket = UnixSocketTunnelConformance.connect(forward.localPort())) {
        socket.getOutputStream().write("refused?\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(socket.getInputStream().read()).as("nothing comes back").isEqualTo(-1);
      } catch (SocketException reset) {
        // a reset ends it at once too
      }
      assertThat(master.exec("echo still here").stdout()).isEqualTo("still here\n");
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }
}
