package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Requests a real sshd cannot take cost at most their own socket or call, never the master
 * (security review 2): a SOCKS host name with a NUL (R3-2), which OpenSSH's sshd takes as a
 * malformed packet and answers by dropping the whole connection; commands longer than the server
 * can run (R3-6), which dropped the MINA master and came back as exit code -1.
 */
class HostileRequestTest {

  private static final int TIMEOUT_MILLIS = 10_000;

  /** The longest command the server's shell takes as its one argument (MAX_ARG_STRLEN - 1). */
  private static final int MAX_COMMAND = 128 * 1024 - 1;

  static final SshdContainer server = new SshdContainer();

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aSocksHostNameWithANulOrControlCharacterCostsOnlyItsSocket(Engine engine)
      throws IOException {
    try (EngineMaster master = connect(engine);
        Forward socks = master.forwardDynamic(0)) {
      assertThat(master.exec("echo before").stdout()).isEqualTo("before\n");

      byte[] nul = socks5(socks.localPort(), "localhost\0.example", 22);
      byte[] control = socks4a(socks.localPort(), "local\nhost", 22);

      if (engine == Engine.MINA) {
        assertThat(nul).as("SOCKS 5 reply").startsWith(5, 4); // host unreachable
        assertThat(control).as("SOCKS 4a reply").startsWith(0, 91); // rejected
      } // OpenSSH's -D cuts the name at the NUL itself
      ExecResult after = master.exec("echo after");
      assertThat(after.stdout())
          .as("exit %d, stderr %s", after.exitCode(), after.stderr())
          .isEqualTo("after\n");
      assertThat(socks5(socks.localPort(), "localhost", 22))
          .as("a plain request through the same forward")
          .startsWith(5, 0);
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void commandsLongerThanTheServerCanRunAreRefusedUpFront(Engine engine) {
    try (EngineMaster master = connect(engine)) {
      for (int length : new int[] {MAX_COMMAND + 1, 140 * 1024, 300 * 1024}) {
        String command = ": " + "x".repeat(length - 2);
        assertThatThrownBy(() -> master.exec(command))
            .as("a command of %d bytes", length)
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(
                String.format(
                    "exec: command must be at most 131,071 bytes (128 KiB with its terminating"
                        + " NUL, the longest argument Linux passes to the server's shell,"
                        + " MAX_ARG_STRLEN), but was %,d bytes: : xxx",
                    length))
            .hasMessageEndingWith("... (" + length + " characters)")
            .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(500));
        assertThatThrownBy(() -> master.start(command))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("start: command must be at most 131,071 bytes");
      }
      // Multi-byte characters count as their UTF-8 bytes.
      assertThatThrownBy(() -> master.exec(": " + "é".repeat(MAX_COMMAND / 2)))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("but was 131,072 bytes");

      String atTheLimit = "printf ok; : " + "x".repeat(MAX_COMMAND - "printf ok; : ".length());
      ExecResult longest = master.exec(atTheLimit);
      assertThat(longest.exitCode()).as("stderr: %s", longest.stderr()).isZero();
      assertThat(longest.stdout()).isEqualTo("ok");

      assertThat(master.exec("echo fine").stdout()).isEqualTo("fine\n");
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void messagesQuoteAtMost200CharactersOfACommand(Engine engine) {
    try (EngineMaster master = connect(engine)) {
      String command = "sleep 20; : " + "y".repeat(5000);
      assertThatThrownBy(() -> master.exec(command, Duration.ofMillis(500)))
          .isInstanceOf(SshOperationException.class)
          .hasMessageStartingWith("Command did not finish within PT0.5S on ")
          .hasMessageContaining(command.substring(0, 200) + "... (5012 characters)")
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(600));
    }
  }

  /**
   * A command killed by a signal, or one whose connection is lost, ends without an exit status: no
   * number says how it ended, so none is made up (MINA returned -1).
   */
  @Test
  void aChannelClosedWithoutAnExitStatusIsAnErrorNeverExitCodeMinus1() {
    try (EngineMaster master = connect(Engine.MINA)) {
      assertThatThrownBy(() -> master.exec("kill -9 $$"))
          .isExactlyInstanceOf(SshOperationException.class)
          .hasMessageContaining("the channel closed without an exit status")
          .hasMessageContaining("kill -9 $$");
      assertThat(master.exec("echo fine").stdout()).isEqualTo("fine\n");

      // The sshd process serving the connection: the whole connection goes.
      assertThatThrownBy(() -> master.exec("kill -9 $PPID"))
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("the channel closed without an exit status");
    }
  }

  private static byte[] socks5(int port, String host, int destinationPort) throws IOException {
    try (Socket socket = open(port)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(new byte[] {5, 1, 0});
      out.flush();
      assertThat(in.readNBytes(2)).as("method selection").containsExactly(5, 0);
      byte[] name = host.getBytes(StandardCharsets.ISO_8859_1);
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.write(new byte[] {5, 1, 0, 3, (byte) name.length});
      request.write(name);
      request.write(new byte[] {(byte) (destinationPort >> 8), (byte) destinationPort});
      out.write(request.toByteArray());
      out.flush();
      return in.readNBytes(10);
    }
  }

  private static byte[] socks4a(int port, String host, int destinationPort) throws IOException {
    try (Socket socket = open(port)) {
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.write(new byte[] {4, 1, (byte) (destinationPort >> 8), (byte) destinationPort});
      request.write(new byte[] {0, 0, 0, 1, 0}); // 0.0.0.1: a name follows; an empty user id
      request.write(host.getBytes(StandardCharsets.ISO_8859_1));
      request.write(0);
      socket.getOutputStream().write(request.toByteArray());
      socket.getOutputStream().flush();
      return socket.getInputStream().readNBytes(8);
    }
  }

  private static Socket open(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    return socket;
  }

  private static EngineMaster connect(Engine engine) {
    return Masters.connect(
        new ContainerEndpoint(server),
        MasterOptions.defaults().withEngine(engine),
        Settings.from(key -> Optional.empty()));
  }
}
