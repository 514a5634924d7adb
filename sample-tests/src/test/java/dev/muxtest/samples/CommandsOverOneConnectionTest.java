package dev.muxtest.samples;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.ExecResult;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshTunnel;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The shape a new user writes first: no server declared (the extension starts one), a tunnel to the
 * SSH server's own port 22, and several commands over the class's single master connection.
 */
@SshTunnel(name = "ssh", port = 22)
class CommandsOverOneConnectionTest {

  /** The client end of the TCP connection, as each command saw it in $SSH_CONNECTION. */
  private static final Set<String> clientEnds = new HashSet<>();

  @Test
  void runsCommandsAndPassesExitCodesThrough(SshMaster master) {
    ExecResult ok = master.exec("echo hello; echo oops >&2");
    ExecResult failed = master.exec("exit 3");

    assertThat(ok.exitCode()).isZero();
    assertThat(ok.stdout()).isEqualTo("hello\n");
    assertThat(ok.stderr()).isEqualTo("oops\n");
    assertThat(failed.exitCode()).isEqualTo(3);
    recordClientEnd(master);
  }

  @Test
  void runsAsTheTestUser(SshMaster master) {
    assertThat(master.exec("id -un").stdout().strip()).isEqualTo("tester");
    recordClientEnd(master);
  }

  @Test
  void reachesTheServersOwnSshPortThroughTheTunnel(@ForwardedPort("ssh") int port, SshMaster master)
      throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      byte[] banner = new byte[8];
      int read = in.readNBytes(banner, 0, banner.length);
      assertThat(new String(banner, 0, read, StandardCharsets.US_ASCII)).isEqualTo("SSH-2.0-");
    }
    recordClientEnd(master);
  }

  @Test
  void sharedOneTcpConnection(SshMaster master) {
    recordClientEnd(master);
    assertThat(master).usedSingleTcpConnection();
  }

  @AfterAll
  static void everyCommandCameFromTheSameClientPort() {
    assertThat(clientEnds).hasSize(1);
  }

  private static void recordClientEnd(SshMaster master) {
    // "client-ip client-port server-ip server-port": one TCP connection means one client end.
    String[] connection = master.exec("echo $SSH_CONNECTION").stdout().strip().split(" ");
    clientEnds.add(connection[0] + ":" + connection[1]);
  }
}
