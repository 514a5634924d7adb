package dev.muxtest.samples;

import static dev.muxtest.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.ForwardedPort;
import dev.muxtest.SshHost;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshServer;
import dev.muxtest.SshTunnel;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A team's staging network, driven only by the ssh config the team keeps in its repository ({@code
 * src/test/resources/staging/ssh_config}): {@code app.internal} is matched by {@code Host
 * *.internal}, reached with {@code ProxyJump bastion}, and PostgreSQL on {@code db.internal} and
 * the app's HTTP service through tunnels that the app host resolves. One TCP connection, to the
 * bastion, carries all of it. Here containers stand in for the machines ({@link StandInStaging});
 * against the real network, the server is just {@code SshHost.fromSshConfig(Path.of(
 * "src/test/resources/staging/ssh_config"), "app.internal")}.
 */
@SshMultiplexing
@SshTunnel(name = "db", host = "db.internal", port = 5432)
@SshTunnel(name = "web", host = "localhost", port = StandInStaging.HTTP_PORT)
class StagingNetworkTest {

  private static final int TIMEOUT_MILLIS = 10_000;

  @SshServer static SshHost app = SshHost.fromSshConfig(StandInStaging.sshConfig(), "app.internal");

  @AfterEach
  void oneConnectionToTheBastionCarriedEverything(SshMaster master) {
    assertThat(master).hasOpenedTcpConnections(1);
  }

  @AfterAll
  static void stopTheStandIns() {
    StandInStaging.stop(); // only here, where containers stand in for the machines
  }

  @Test
  void theConfigSendsTheAppHostThroughTheBastion(SshMaster master) {
    assertThat(app.jumpHost()).isPresent();
    assertThat(master.exec("hostname").stdout()).isEqualTo("app\n");
  }

  @Test
  void queriesPostgresOnTheInternalNetwork(@ForwardedPort("db") int port) throws Exception {
    String url =
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=10&socketTimeout=30";
    try (Connection connection = DriverManager.getConnection(url, "postgres", "secret");
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT 6 * 7")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getInt(1)).isEqualTo(42);
    }
  }

  @Test
  void fetchesTheAppsHttpService(@ForwardedPort("web") int port) throws Exception {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(TIMEOUT_MILLIS);
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(response).startsWith("HTTP/1.").contains(" 200 ").endsWith("staging-app\n");
    }
  }
}
