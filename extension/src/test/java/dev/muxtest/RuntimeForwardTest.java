package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.KeyMaterial;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Forwards and commands opened at run time through an injected master. */
@SshMultiplexing
class RuntimeForwardTest {

  @Test
  void forwardOpenedAtRunTimeWorksAndStopsListeningWhenClosed(SshMaster master) throws Exception {
    Forward forward = master.forwardLocal("localhost", 22);
    int port = forward.localPort();

    assertThat(forward.isOpen()).isTrue();
    assertThat(forward.localAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(banner(port)).startsWith("SSH-2.0-");

    forward.close();
    forward.close(); // idempotent

    assertThat(forward.isOpen()).isFalse();
    assertThatThrownBy(() -> banner(port)).isInstanceOf(ConnectException.class);
  }

  @Test
  void agentForwardingIsOffByDefault(SshMaster master) {
    assertThat(master.exec("echo ${SSH_AUTH_SOCK:-none}").stdout()).isEqualTo("none\n");
    assertThatThrownBy(() -> master.addAgentKey(KeyMaterial.generate()))
        .isInstanceOf(SshOperationException.class)
        .hasMessageStartingWith("Agent forwarding is off for the SSH master to tester@")
        .hasMessageEndingWith("; turn it on with @SshMultiplexing(forwardAgent = true)");
  }

  @Test
  void commandThatOverrunsItsTimeoutFailsAndTheMasterStaysUsable(SshMaster master) {
    assertThatThrownBy(() -> master.exec("sleep 30", Duration.ofMillis(500)))
        .isInstanceOf(SshOperationException.class)
        .hasMessageStartingWith("Command did not finish within PT0.5S on tester@")
        .hasMessageEndingWith(": sleep 30");

    assertThat(master.exec("echo still here").stdout()).isEqualTo("still here\n");
  }

  @Test
  void environmentAndLargeOutputComeBackWhole(SshMaster master) {
    ExecResult result = master.exec("seq 1 100000");

    assertThat(result.stdout().lines()).hasSize(100000).endsWith("100000");
    assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
  }

  private static String banner(int port) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(8), StandardCharsets.US_ASCII);
    }
  }
}
