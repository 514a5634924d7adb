package dev.muxtest.samples.spring;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.muxtest.ExecResult;
import dev.muxtest.ForwardedPort;
import dev.muxtest.ForwardedPorts;
import dev.muxtest.Scope;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshServer;
import dev.muxtest.SshTopology;
import dev.muxtest.SshTunnel;
import dev.muxtest.SshdContainer;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * What the application's tests share: PostgreSQL on an internal network that only a bastion
 * reaches, the tunnel "db" to it over the run's one SSH master (SUITE scope: the tunnel's port
 * holds for the whole run), and the datasource URL pointed at that port with
 * {@code @DynamicPropertySource}.
 *
 * <p>The {@code @DynamicPropertySource} method lives here, in the base class, so that subclasses
 * with the same configuration share one cached application context: Spring keys its context cache
 * on the method, which each subclass inherits. Spring calls the supplier when it creates the
 * context, for the class's first test: muxtest's tunnels are open by then (they open in its
 * beforeAll callback, which runs before any test instance exists).
 */
// README:start
@SpringBootTest(
    properties = {
      "spring.datasource.hikari.maximum-pool-size=1",
      "spring.datasource.hikari.connection-timeout=10000"
    })
@SshMultiplexing(scope = Scope.SUITE)
@SshTunnel(name = "db", host = "db", port = 5432)
abstract class DatabaseBehindBastion {

  /** PostgreSQL from Debian's package, built from docker/postgres on the sshd's base image. */
  static final GenericContainer<?> postgres =
      new GenericContainer<>(
              new ImageFromDockerfile("muxtest/postgres:sample", false)
                  .withFileFromPath(".", Path.of("../docker/postgres"))
                  .withBuildArg("BASE_IMAGE", SshdContainer.configuredBaseImage()))
          .withEnv("POSTGRES_PASSWORD", "secret")
          .waitingFor(
              Wait.forLogMessage(".*database system is ready to accept connections.*", 1)
                  .withStartupTimeout(Duration.ofMinutes(5)));

  static final SshTopology topology = new SshTopology().withService(postgres, "db");

  /** One server object for every subclass: so they share the run's master. */
  @SshServer static final SshdContainer server = topology.target();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add(
        "spring.datasource.url",
        () ->
            "jdbc:postgresql://127.0.0.1:"
                + ForwardedPorts.port(DatabaseBehindBastion.class, "db")
                + "/postgres?connectTimeout=10&socketTimeout=30");
    registry.add("spring.datasource.username", () -> "postgres");
    registry.add("spring.datasource.password", () -> "secret");
  }

  // ... tests; VisitsTest and the others extend this class and share its context
  // README:end

  @Autowired Visits visits;
  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
  @Autowired ApplicationContext context;
  @Autowired Environment environment;

  @AfterEach
  void oneTcpConnection(SshMaster master) {
    assertThat(master).usedSingleTcpConnection();
  }

  /** The application's own repository works against the database behind the bastion. */
  @Test
  void countsVisitsInPostgresBehindTheBastion() {
    String page = "/" + getClass().getSimpleName();
    long before = visits.count(page);

    visits.record(page);
    visits.record(page);

    assertThat(visits.count(page)).isEqualTo(before + 2);
    assertThat(jdbc.sql("SELECT host(inet_server_addr())").query(String.class).single())
        .as("the database's address: on the internal network, not this machine's loopback")
        .isNotEqualTo("127.0.0.1");
  }

  /** Records what this class saw, for the classes after it to compare with. */
  @Test
  void recordsWhatItSaw(SshMaster master, @ForwardedPort("db") int port) {
    RunObservations.record(getClass(), seen(master, port));
  }

  /** What this class sees now: its context, pool, tunnel, SSH connection and database backend. */
  RunObservations.Seen seen(SshMaster master, int port) {
    ExecResult connection = master.exec("echo $SSH_CONNECTION");
    assertThat(connection.exitCode()).as(connection.stderr()).isZero();
    String[] fields = connection.stdout().strip().split(" "); // client-ip client-port server-ip ...
    assertThat(fields).as("$SSH_CONNECTION: %s", connection.stdout()).hasSize(4);
    assertThat(environment.getProperty("spring.datasource.url"))
        .startsWith("jdbc:postgresql://127.0.0.1:" + port + "/");
    return new RunObservations.Seen(
        context,
        dataSource,
        ((HikariDataSource) dataSource).getPoolName(),
        port,
        fields[1],
        jdbc.sql("SELECT pg_backend_pid()").query(Integer.class).single());
  }
}
