package dev.muxtest.samples;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.ExecResult;
import dev.muxtest.ForwardType;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshServer;
import dev.muxtest.SshTopology;
import dev.muxtest.SshTunnel;
import dev.muxtest.SshdContainer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Real services on an internal network that the test machine cannot reach, through a bastion:
 * PostgreSQL over JDBC through a local tunnel, an HTTP service by its host name through a SOCKS
 * tunnel, and a callback server in this JVM reached from the remote side through a remote tunnel.
 * One TCP connection, to the bastion, carries all of it.
 */
@SshTunnel(name = "db", host = "db", port = 5432)
@SshTunnel(name = "socks", type = ForwardType.DYNAMIC)
@SshTunnel(
    name = "callback",
    type = ForwardType.REMOTE,
    host = "127.0.0.1",
    port = ServicesBehindBastionTest.CALLBACK_PORT)
class ServicesBehindBastionTest {

  /**
   * Where the callback server listens in this JVM (a fixed port: an annotation needs a constant),
   * below Linux's ephemeral range, where any outgoing connection may take a port.
   */
  static final int CALLBACK_PORT = 31331;

  private static final int TIMEOUT_MILLIS = 10_000;

  /**
   * PostgreSQL from Debian's package, built from docker/postgres on the same base image as the
   * sshd.
   */
  static GenericContainer<?> postgres =
      new GenericContainer<>(
              new ImageFromDockerfile("muxtest/postgres:sample", false)
                  .withFileFromPath(".", Path.of("../docker/postgres"))
                  .withBuildArg("BASE_IMAGE", SshdContainer.configuredBaseImage()))
          .withEnv("POSTGRES_PASSWORD", "secret")
          .waitingFor(
              Wait.forLogMessage(".*database system is ready to accept connections.*", 1)
                  .withStartupTimeout(Duration.ofMinutes(5)));

  /** An HTTP service on the internal network (busybox httpd, in an sshd image that has it). */
  static SshdContainer web =
      new SshdContainer()
          .withBackgroundCommand(
              "mkdir -p /srv/www && echo internal-web > /srv/www/index.html"
                  + " && exec busybox httpd -f -p 8080 -h /srv/www");

  static SshTopology topology =
      new SshTopology().withService(postgres, "db").withService(web, "web");

  @SshServer static SshdContainer server = topology.target();

  private static ServerSocket callback;
  private static ExecutorService acceptor;

  @BeforeAll
  static void startCallback() throws IOException {
    callback = new ServerSocket();
    callback.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), CALLBACK_PORT));
    acceptor = Executors.newSingleThreadExecutor();
    acceptor.execute(
        () -> {
          while (!callback.isClosed()) {
            try (Socket socket = callback.accept()) {
              socket.getOutputStream().write("called back\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
              // closed after the class
            }
          }
        });
  }

  @AfterAll
  static void stopCallback() throws Exception {
    callback.close();
    acceptor.shutdownNow();
    acceptor.awaitTermination(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void oneTcpConnection(SshMaster master) {
    assertThat(master).usedSingleTcpConnection();
  }

  @Test
  void queriesPostgresOverJdbc(@ForwardedPort("db") int port) throws Exception {
    String url =
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=10&socketTimeout=30";
    try (Connection connection = DriverManager.getConnection(url, "postgres", "secret");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TEMPORARY TABLE visits (id int)");
      statement.execute("INSERT INTO visits SELECT generate_series(1, 1000)");
      try (ResultSet rows =
          statement.executeQuery("SELECT count(*), sum(id), inet_server_addr() FROM visits")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getLong(1)).isEqualTo(1000);
        assertThat(rows.getLong(2)).isEqualTo(500_500);
        assertThat(rows.getString(3))
            .as("the server's address: on the internal network")
            .isNotEqualTo("127.0.0.1");
      }
    }
  }

  @Test
  void fetchesTheInternalWebServiceByNameThroughSocks(@ForwardedPort("socks") Proxy proxy)
      throws Exception {
    try (Socket socket = new Socket(proxy)) {
      socket.setSoTimeout(TIMEOUT_MILLIS);
      // Unresolved: the name "web" exists only on the internal network, where the target resolves
      // it.
      socket.connect(InetSocketAddress.createUnresolved("web", 8080), TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /index.html HTTP/1.0\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(response).startsWith("HTTP/1.").contains(" 200 ").endsWith("internal-web\n");
    }
  }

  @Test
  void theRemoteSideCallsBackIntoThisJvm(
      SshMaster master, @ForwardedPort("callback") int serverPort) {
    ExecResult result =
        master.exec("exec 3<>/dev/tcp/127.0.0.1/" + serverPort + " && head -n 1 <&3");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).isEqualTo("called back\n");
  }
}
