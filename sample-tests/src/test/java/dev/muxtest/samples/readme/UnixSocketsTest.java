package dev.muxtest.samples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.Forward;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshServer;
import dev.muxtest.SshTunnel;
import dev.muxtest.SshdContainer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

// README:start
@SshTunnel(name = "api", socket = "/run/api.sock") // 127.0.0.1:<free port> -> the server's socket
class UnixSocketsTest {

  @SshServer
  static SshdContainer server = // a service listening on a UNIX socket only: an echo
      new SshdContainer()
          .withBackgroundCommand("exec socat UNIX-LISTEN:/run/api.sock,fork,perm=0666 EXEC:cat");

  @Test
  void declared(@ForwardedPort("api") int port) throws Exception {
    assertThat(echo(port, "ping")).isEqualTo("ping");
  }

  @Test
  void atRunTime(SshMaster master) throws Exception {
    Forward forward = master.forwardLocalSocket("/run/api.sock"); // closed after the method
    assertThat(forward.remoteSocketPath()).contains("/run/api.sock");
    assertThat(echo(forward.localPort(), "pong")).isEqualTo("pong");
  }

  static String echo(int port, String text) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      socket.shutdownOutput(); // half-close: the echo ends after the last byte
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
// README:end
