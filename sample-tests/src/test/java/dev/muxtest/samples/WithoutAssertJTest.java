package dev.muxtest.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.muxtest.ExecResult;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshTunnel;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A suite of a user who has JUnit and nothing else: the build runs it with AssertJ removed from the
 * class path. The master, the tunnel and the end-of-class proof work all the same.
 */
@SshTunnel(name = "ssh", port = 22)
class WithoutAssertJTest {

  @Test
  void assertJIsNotOnTheClassPath() {
    assertThrows(
        ClassNotFoundException.class, () -> Class.forName("org.assertj.core.api.Assertions"));
  }

  @Test
  void commandsAndTunnelsWork(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
    ExecResult result = master.exec("echo hello");
    assertEquals(0, result.exitCode());
    assertEquals("hello\n", result.stdout());
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      assertEquals("SSH-2.0", new String(in.readNBytes(7), StandardCharsets.US_ASCII));
    }
    assertEquals(1, master.connectionReport().clientTcpConnections());
  }
}
