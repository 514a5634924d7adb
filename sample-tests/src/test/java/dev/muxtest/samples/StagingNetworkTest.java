package dev.muxtest.samples;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.ForwardedPort;
import dev.muxtest.SshHost;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshServer;
import dev.muxtest.SshTunnel;
import java.net.InetAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A team's staging network, driven only by the ssh config the team keeps in its repository ({@code
 * src/test/resources/staging/ssh_config}): {@code app.internal} is matched by {@code Host
 * *.internal}, reached with {@code ProxyJump bastion}, and PostgreSQL on {@code db.internal} and
 * the app's HTTP service through tunnels that the app host resolves. One TCP connection, to the
 * bastion, carries all of it. Here containers stand in for the machines ({@link StandInStaging}).
 */
// README:start
@SshMultiplexing
@SshTunnel(name = "db", host = "db.internal", port = 5432) // resolved by app.internal
@SshTunnel(name = "web", host = "localhost", port = 8080) // app.internal's own HTTP service
class StagingNetworkTest {

  // In your repository: SshHost.fromSshConfig(Path.of("src/test/resources/staging/ssh_config"),
  // "app.internal"). Here: the stand-ins' config, which includes that file.
  @SshServer static SshHost app = SshHost.fromSshConfig(StandInStaging.sshConfig(), "app.internal");

  @Test
  void theConfigSendsTheAppHostThroughTheBastion(SshMaster master) {
    assertThat(app.jumpHost()).isPresent(); // ProxyJump bastion, from Host *.internal
    assertThat(master.exec("hostname").stdout()).isEqualTo("app\n");
  }

  @Test
  void queriesPostgresOnTheInternalNetwork(@ForwardedPort("db") int port) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=10";
    try (Connection connection = DriverManager.getConnection(url, "postgres", "secret");
        ResultSet rows = connection.createStatement().executeQuery("SELECT 6 * 7")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getInt(1)).isEqualTo(42);
    }
  }

  @Test
  void fetchesTheAppsHttpService(@ForwardedPort("web") int port) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), US_ASCII);
      assertThat(response).contains(" 200 ").endsWith("staging-app\n");
    }
  }

  @AfterEach
  void oneConnectionToTheBastionCarriedEverything(SshMaster master) {
    assertThat(master).hasOpenedTcpConnections(1);
  }

  @AfterAll
  static void stopTheStandIns() {
    StandInStaging.stop(); // only here, where containers stand in for the machines
  }
}
// README:end
