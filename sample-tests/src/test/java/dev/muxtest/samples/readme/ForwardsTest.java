package dev.muxtest.samples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.muxtest.ForwardType;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshTunnel;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

// README:start
@SshTunnel(name = "ssh", port = 22) // LOCAL: to the server's own port 22
@SshTunnel(name = "callback", type = ForwardType.REMOTE, port = 47332) // server -> this JVM
@SshTunnel(name = "socks", type = ForwardType.DYNAMIC) // SOCKS proxy on 127.0.0.1:<free port>
class ForwardsTest {

  static HttpServer callback; // in this JVM; the server reaches it through the REMOTE tunnel

  @BeforeAll
  static void startCallback() throws Exception {
    callback = HttpServer.create(new InetSocketAddress("127.0.0.1", 47332), 0);
    callback.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, 5);
          exchange.getResponseBody().write("hello".getBytes(StandardCharsets.US_ASCII));
          exchange.close();
        });
    callback.start();
  }

  @AfterAll
  static void stopCallback() {
    callback.stop(0);
  }

  @Test
  void all(
      @ForwardedPort("ssh") int sshPort,
      @ForwardedPort("callback") int serverPort,
      @ForwardedPort("socks") Proxy socks,
      SshMaster master)
      throws Exception {
    try (Socket direct = new Socket("127.0.0.1", sshPort)) {
      assertThat(banner(direct)).isEqualTo("SSH-2.0"); // the server's sshd, through LOCAL
    }
    // serverPort listens on the server's loopback: its processes call back through it
    String called = master.exec("busybox wget -q -O - http://127.0.0.1:" + serverPort).stdout();
    assertThat(called).isEqualTo("hello");
    // through the SOCKS proxy, "localhost" as the server sees it: the REMOTE tunnel, back to us
    URL url = new URL("http://localhost:" + serverPort + "/");
    HttpURLConnection viaSocks = (HttpURLConnection) url.openConnection(socks);
    viaSocks.setConnectTimeout(10_000);
    viaSocks.setReadTimeout(10_000);
    assertThat(new String(viaSocks.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("hello");
  }

  static String banner(Socket socket) throws Exception {
    socket.setSoTimeout(10_000);
    InputStream in = socket.getInputStream();
    return new String(in.readNBytes(7), StandardCharsets.US_ASCII);
  }
}
// README:end
