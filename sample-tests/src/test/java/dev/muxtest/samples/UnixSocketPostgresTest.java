package dev.muxtest.samples;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.ExecResult;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshServer;
import dev.muxtest.SshTunnel;
import dev.muxtest.SshdContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * PostgreSQL that listens only on its UNIX socket, on the SSH server itself, reached over JDBC
 * through a tunnel to that socket: no TCP port of the database exists, inside the container or out.
 * sshd and PostgreSQL run in one container built from docker/sshd-postgres, which extends the
 * muxtest sshd image. sshd connects to the socket as the SSH user, whom PostgreSQL lets in as the
 * role of the same name (peer authentication): no password anywhere. A fixture is uploaded before
 * the tests and loaded with psql on the server, and PostgreSQL's log downloaded after them, over
 * the same master.
 */
@SshTunnel(name = "db", socket = "/var/run/postgresql/.s.PGSQL.5432")
class UnixSocketPostgresTest {

  @SshServer
  static SshdContainer server =
      new SshdContainer(
          new ImageFromDockerfile("muxtest/sshd-postgres:sample", false)
              .withFileFromPath(".", Path.of("../docker/sshd-postgres")));

  @BeforeAll
  static void loadTheFixture(SshMaster master) {
    // Over the same master: the fixture file goes up by SFTP, psql loads it through the socket.
    master.upload(Path.of("src/test/resources/postgres/seed.sql"), "seed.sql");
    ExecResult load = master.exec("psql -X -q -v ON_ERROR_STOP=1 -f seed.sql");
    assertThat(load.exitCode()).as(load.stderr()).isZero();
  }

  @AfterAll
  static void downloadTheDatabaseLog(SshMaster master) throws Exception {
    // For whoever reads the build's output: PostgreSQL's own log of this class's sessions.
    Path log = Files.createDirectories(Path.of("target/postgres-logs")).resolve("sample.log");
    master.download("/var/log/postgresql/postgresql.log", log);
    assertThat(Files.readString(log)).contains("database system is ready to accept connections");
  }

  @Test
  void readsTheUploadedFixture(@ForwardedPort("db") int port) throws Exception {
    try (Connection connection = DriverManager.getConnection(url(port), SshdContainer.USER, "");
        ResultSet rows =
            connection.createStatement().executeQuery("SELECT title FROM pages WHERE path = '/'")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("Home");
    }
  }

  private static String url(int port) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/tester?connectTimeout=10&socketTimeout=30";
  }

  @AfterEach
  void oneTcpConnection(SshMaster master) {
    assertThat(master).usedSingleTcpConnection();
  }

  @Test
  void createsInsertsAndQueriesOverJdbc(@ForwardedPort("db") int port) throws Exception {
    try (Connection connection = DriverManager.getConnection(url(port), SshdContainer.USER, "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE visits (id int PRIMARY KEY, page text NOT NULL)");
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO visits VALUES (?, ?)")) {
        for (int id = 1; id <= 100; id++) {
          insert.setInt(1, id);
          insert.setString(2, id % 2 == 0 ? "/even" : "/odd");
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT count(*), sum(id), count(*) FILTER (WHERE page = '/even'),"
                  + " inet_server_addr() IS NULL, current_user FROM visits")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getLong(1)).isEqualTo(100);
        assertThat(rows.getLong(2)).isEqualTo(5050);
        assertThat(rows.getLong(3)).isEqualTo(50);
        assertThat(rows.getBoolean(4)).as("connected through the UNIX socket, not TCP").isTrue();
        assertThat(rows.getString(5)).isEqualTo(SshdContainer.USER);
      }
    }
  }

  @Test
  void theDatabaseHasNoTcpListener(SshMaster master) {
    // Port 5432 refuses on the server's own loopback: the socket is the only way in.
    ExecResult tcp = master.exec("exec 3<>/dev/tcp/127.0.0.1/5432");

    assertThat(tcp.exitCode()).as("a TCP connection to 5432 on the server").isNotZero();
    assertThat(master.exec("test -S /var/run/postgresql/.s.PGSQL.5432").exitCode()).isZero();
  }
}
