package dev.muxtest.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A second class with the same configuration: Spring gives it the cached context of {@link
 * VisitsTest}, whose pool was made while that class ran. It keeps working because the tunnel is the
 * run's (SUITE scope), on the same port, over the same master: the pool's one connection, opened in
 * the first class, still serves this one.
 */
@Order(2)
class VisitsSharedContextTest extends DatabaseBehindBastion {

  @Test
  void sharesTheContextThePoolTheTunnelAndTheMasterOfTheFirstClass(
      SshMaster master, @ForwardedPort("db") int port) {
    RunObservations.Seen first = RunObservations.of(VisitsTest.class);
    assumeTrue(first != null, "runs after VisitsTest (the module's class order), as in mvn verify");

    RunObservations.Seen now = seen(master, port);

    assertThat(now.context()).as("Spring's cached context").isSameAs(first.context());
    assertThat(now.dataSource()).as("the context's pool").isSameAs(first.dataSource());
    assertThat(((HikariDataSource) dataSource).isRunning()).isTrue();
    assertThat(now.tunnelPort()).as("the tunnel's port").isEqualTo(first.tunnelPort());
    assertThat(now.sshClientPort())
        .as("the SSH connection's client port, as the target sees it: the same master")
        .isEqualTo(first.sshClientPort());
    // A pool of one connection: the same PostgreSQL backend is the same TCP connection, through
    // the same forward, made while the first class ran.
    assertThat(now.backendPid())
        .as("the backend of the pool's connection")
        .isEqualTo(first.backendPid());
  }
}
