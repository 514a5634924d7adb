package dev.muxtest.samples;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.Scope;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshServer;
import dev.muxtest.SshdContainer;
import org.junit.jupiter.api.Test;

/**
 * One of two classes that name the same server in SUITE scope: the whole run shares one master, so
 * the proof at the end of each class covers every class before it too.
 */
@SshMultiplexing(scope = Scope.SUITE)
class SuiteScopeTwoTest {

  @SshServer static SshdContainer server = SharedSshServer.INSTANCE;

  @Test
  void sharesTheRunsOneConnection(SshMaster master) {
    assertThat(master.exec("echo Two").stdout()).isEqualTo("Two\n");
    assertThat(master).usedSingleTcpConnection();
  }
}
