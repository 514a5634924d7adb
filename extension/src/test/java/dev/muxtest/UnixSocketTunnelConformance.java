package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.assertj.MuxAssertions;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.TunnelSpec;
import dev.muxtest.internal.junit.MethodSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tunnels to UNIX-domain sockets on a real sshd, declared and opened at run time, run per engine by
 * {@link MinaUnixSocketTunnelTest} and {@link OpenSshUnixSocketTunnelTest}: a 64 MiB stream echoed
 * intact, a half-close, a path full of characters a shell or ssh would read as syntax, a socket
 * that does not exist and paths that cannot be one. Each subclass declares the tunnel {@code echo}
 * to {@link #ECHO}.
 */
abstract class UnixSocketTunnelConformance {

  /** socat echoing every connection back (cat), root's socket open to the SSH user. */
  static final String ECHO = "/tmp/muxtest-echo.sock";

  /** socat answering each connection, once its client has half-closed, with the SHA-256 of it. */
  static final String SUM = "/tmp/muxtest-sum.sock";

  /**
   * A link to {@link #ECHO} named with what the shells, ssh's forward spec (colon, backslash) and
   * its percent expansion would each read as syntax.
   */
  static final String ODD = "/tmp/muxtest odd:%h\\n 'q' \"d\" $(x) `y`;&.sock";

  static final int TIMEOUT_MILLIS = 60_000;
  private static final int MIB = 1 << 20;

  /**
   * The reference sshd with the two socket servers (socat waits up to 30 s to pass on an EOF) and
   * the link {@link #ODD}.
   */
  static SshdContainer server() {
    return new SshdContainer()
        .withBackgroundCommand("ln -sfn " + ECHO + " " + shellQuoted(ODD))
        .withBackgroundCommand("exec socat -t 30 UNIX-LISTEN:" + ECHO + ",fork,perm=0666 EXEC:cat")
        .withBackgroundCommand(
            "exec socat -t 30 UNIX-LISTEN:" + SUM + ",fork,perm=0666 EXEC:sha256sum");
  }

  @AfterEach
  void everythingSharedOneConnection(SshMaster master) {
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }

  @Test
  void aDeclaredTunnelEchoes64MibIntact(@ForwardedPort("echo") int port) throws Exception {
    try (Socket socket = connect(port)) {
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  OutputStream out = socket.getOutputStream();
                  Random random = new Random(12);
                  byte[] chunk = new byte[64 * 1024];
                  for (long left = 64L * MIB; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    sent.update(chunk);
                    out.write(chunk);
                  }
                  socket.shutdownOutput(); // the echo ends once it has passed on everything
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      MessageDigest received = MessageDigest.getInstance("SHA-256");
      long total = 0;
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) != -1; total += n) {
        received.update(buffer, 0, n);
      }
      writer.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);

      assertThat(total).isEqualTo(64L * MIB);
      assertThat(HexFormat.of().formatHex(received.digest()))
          .isEqualTo(HexFormat.of().formatHex(sent.digest()));
    }
  }

  /** The server answers only after the end of the client's stream: it must come through. */
  @Test
  @SshTunnel(name = "sum", socket = SUM)
  void theClientHalfClosesAndStillReadsTheAnswer(@ForwardedPort("sum") int port) throws Exception {
    byte[] data = "half-closed, still reading\n".getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write(data);
      socket.shutdownOutput();

      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(answer)
          .isEqualTo(
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data))
                  + "  -\n");
    }
  }

  @Test
  void aRunTimeForwardReachesAPathFullOfSyntaxAsItIs(SshMaster master) throws Exception {
    ExecResult link = master.exec("ls -l /tmp");
    assertThat(link.stdout()).as("the link, named as it is").contains("odd:%h\\n 'q' \"d\" $(x)");

    Forward forward = master.forwardLocalSocket(ODD);

    assertThat(forward.type()).isEqualTo(ForwardType.LOCAL);
    assertThat(forward.remoteSocketPath()).contains(ODD);
    assertThat(forward.destinationHost()).isEmpty();
    assertThat(forward.remotePort()).isZero();
    assertThat(forward.localAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(echoLine(forward.localPort(), "through the odd path"))
        .isEqualTo("through the odd path\n");

    forward.close();
    forward.close(); // idempotent

    assertThat(forward.isOpen()).isFalse();
    assertThat(((MethodSession) master).engineMaster().openForwards()).doesNotContain(forward);
  }

  /**
   * A fixed port below Linux's ephemeral range, one per engine's class: no other class's free port
   * can be it, so that a refused connection after close says that this forward stopped listening.
   */
  abstract int fixedPort();

  @Test
  void aForwardOnAFixedPortStopsListeningWhenClosed(SshMaster master) throws Exception {
    Forward forward = ((MethodSession) master).engineMaster().forwardLocalSocket(fixedPort(), ECHO);
    assertThat(forward.localPort()).isEqualTo(fixedPort());
    assertThat(echoLine(fixedPort(), "fixed")).isEqualTo("fixed\n");

    forward.close();

    // Should a connection be accepted, say what accepted it (it failed once in CI, unexplained).
    String accepted = null;
    try (Socket socket = connect(fixedPort())) {
      accepted =
          "connected from local port "
              + socket.getLocalPort()
              + "; listeners on the port now: "
              + listenersOn(fixedPort());
    } catch (ConnectException refused) {
      // what closing promises
    }
    assertThat(accepted).as("a connection to the closed forward's port %d", fixedPort()).isNull();
  }

  /** The LISTEN entries of /proc/net/tcp for {@code port}, with their inodes, for a message. */
  private static String listenersOn(int port) {
    try {
      String hexPort = String.format(":%04X ", port);
      return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/tcp")).stream()
          .filter(line -> line.contains(hexPort) && line.split("\\s+")[4].equals("0A"))
          .toList()
          .toString();
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e + ")";
    }
  }

  /** Its readiness check passes the path to the server's shell, quoted: it must find the socket. */
  @Test
  @SshTunnel(name = "odd", socket = ODD)
  void aDeclaredTunnelToAPathFullOfSyntaxIsCheckedAndWorks(@ForwardedPort("odd") int port)
      throws Exception {
    assertThat(echoLine(port, "checked")).isEqualTo("checked\n");
  }

  @Test
  void aDeclaredTunnelListensOnLoopbackAndSaysWhereItLeads(
      SshMaster master, @ForwardedPort("echo") InetSocketAddress address) throws Exception {
    assertThat(address.getAddress().isLoopbackAddress()).isTrue();
    assertThat(((MethodSession) master).engineMaster().openForwards())
        .filteredOn(forward -> forward.localPort() == address.getPort())
        .singleElement()
        .satisfies(
            forward -> {
              assertThat(forward.type()).isEqualTo(ForwardType.LOCAL);
              assertThat(forward.remoteSocketPath()).contains(ECHO);
              assertThat(forward.destinationHost()).isEmpty();
              assertThat(forward.destinationPort()).isZero();
            });
    assertThat(echoLine(address.getPort(), "hello")).isEqualTo("hello\n");
  }

  @Test
  void aSocketThatDoesNotExistFailsWithinTheReadyTimeoutNamingThePath(SshMaster master) {
    String missing = "/tmp/muxtest-no-such-dir/missing.sock";
    Duration readyTimeout = Duration.ofSeconds(3);
    EngineMaster engineMaster = ((MethodSession) master).engineMaster();
    long start = System.nanoTime();
    assertThatThrownBy(() -> engineMaster.open(TunnelSpec.toSocket("db", missing, 0), readyTimeout))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("The UNIX socket " + missing)
        .hasMessageContaining("did not accept a connection within PT3S")
        .hasMessageContaining("No such file or directory");
    // One probe may have begun just before the bound: it is itself bounded (10 s).
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(readyTimeout.plusSeconds(15));
    // The forward opened, then was closed by the failed open itself.
    assertThat(engineMaster.openForwards())
        .noneSatisfy(forward -> assertThat(forward.remoteSocketPath()).contains(missing));
  }

  @Test
  void pathsThatCannotBeASocketAreRefusedBeforeAnythingIsSent(SshMaster master) {
    assertThatThrownBy(() -> master.forwardLocalSocket(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("forwardLocalSocket: remoteSocketPath must not be null");
    assertThatThrownBy(() -> master.forwardLocalSocket(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("forwardLocalSocket: remoteSocketPath must not be blank");
    assertThatThrownBy(() -> master.forwardLocalSocket("tmp/relative.sock"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "forwardLocalSocket: remoteSocketPath must be an absolute path (starting with '/'),"
                + " but was 'tmp/relative.sock'");
    for (String control : List.of("/tmp/a\0b.sock", "/tmp/a\nb.sock", "/tmp/a\rb.sock")) {
      assertThatThrownBy(() -> master.forwardLocalSocket(control))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "forwardLocalSocket: remoteSocketPath must not contain a control character"
                  + " (NUL, newline, ...)");
    }
    String tooLong = "/tmp/" + "x".repeat(103);
    assertThatThrownBy(() -> master.forwardLocalSocket(tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be at most 107 bytes long")
        .hasMessageContaining("has 108");
  }

  // --- helpers ---------------------------------------------------------------------------------

  static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    return socket;
  }

  /** Sends one line and half-closes; what came back. */
  static String echoLine(int port, String line) throws IOException {
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      socket.shutdownOutput();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static String shellQuoted(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
