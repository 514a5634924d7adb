package dev.muxtest.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A class with a configuration of its own (another pool name): Spring makes it a context of its
 * own, with its own pool, whose URL the same supplier computes again: the same tunnel, on the same
 * port, over the same master.
 */
@Order(3)
@TestPropertySource(properties = "spring.datasource.hikari.pool-name=reporting")
class VisitsReportingTest extends DatabaseBehindBastion {

  @Test
  void getsItsOwnContextOnTheSameTunnelAndMaster(SshMaster master, @ForwardedPort("db") int port) {
    RunObservations.Seen first = RunObservations.of(VisitsTest.class);
    assumeTrue(first != null, "runs after VisitsTest (the module's class order), as in mvn verify");

    RunObservations.Seen now = seen(master, port);

    assertThat(now.context()).as("a context of its own").isNotSameAs(first.context());
    assertThat(now.dataSource()).as("a pool of its own").isNotSameAs(first.dataSource());
    assertThat(now.poolName()).isEqualTo("reporting");
    assertThat(now.tunnelPort()).as("the tunnel's port").isEqualTo(first.tunnelPort());
    assertThat(now.sshClientPort())
        .as("the SSH connection's client port, as the target sees it: the same master")
        .isEqualTo(first.sshClientPort());
    assertThat(now.backendPid())
        .as("its own pool's connection: another backend")
        .isNotEqualTo(first.backendPid());
  }
}
