package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.assertj.MuxAssertions;
import dev.muxtest.internal.engine.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * REMOTE and DYNAMIC forwards, declared and opened at run time, run per engine by {@link
 * MinaForwardTypesTest} and {@link OpenSshForwardTypesTest}. Each subclass declares the REMOTE
 * tunnels itself: their destination is a fixed port in the test JVM, one per engine's class, so the
 * two classes may run at once.
 */
// The callback below is one static field for every subclass: two of them at once would stop each
// other's callback.
@ResourceLock("dev.muxtest.ForwardTypesConformance.callback")
abstract class ForwardTypesConformance {

  static final int HTTP_PORT = 8080;

  /**
   * A fixed server-side port for the REMOTE tunnel with a bindPort: inside the container, so never
   * taken.
   */
  static final int REMOTE_BIND_PORT = 2222;

  static final int TIMEOUT_MILLIS = 10_000;

  /**
   * A server whose HTTP service listens on every address of the container, so its host name reaches
   * it.
   */
  static SshdContainer server() {
    return new SshdContainer()
        .withBackgroundCommand(
            "mkdir -p /srv/www && echo hello-from-the-server > /srv/www/index.html"
                + " && exec busybox httpd -f -p "
                + HTTP_PORT
                + " -h /srv/www");
  }

  private static ServerSocket callback;
  private static ExecutorService acceptor;

  /** The destination of the REMOTE tunnels: answers "pong" to every connection. */
  static void startCallback(int port) throws IOException {
    callback = new ServerSocket();
    callback.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    acceptor = Executors.newSingleThreadExecutor();
    acceptor.execute(
        () -> {
          while (!callback.isClosed()) {
            try (Socket socket = callback.accept()) {
              socket.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
              // closed at the end of the class, or a probe that hung up first
            }
          }
        });
  }

  @AfterAll
  static void stopCallback() throws Exception {
    if (callback != null) {
      callback.close();
      acceptor.shutdownNow();
      assertThat(acceptor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @AfterEach
  void everythingSharedOneConnection(SshMaster master) {
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }

  // --- REMOTE ----------------------------------------------------------------------------------

  @Test
  void remoteTunnelWithAllocatedPortLeadsToTheTestJvm(
      SshMaster master,
      @ForwardedPort("callback") int serverPort,
      @ForwardedPort("callback") InetSocketAddress serverAddress) {
    assertThat(serverPort).isBetween(1, 65535).isNotEqualTo(callback.getLocalPort());
    assertThat(serverAddress.getPort()).isEqualTo(serverPort);

    assertThat(readLineOnServer(master, serverPort)).isEqualTo("pong\n");
  }

  @Test
  void remoteTunnelWithBindPortListensOnThatPortOnTheServer(
      SshMaster master, @ForwardedPort("fixed") int serverPort) {
    assertThat(serverPort).isEqualTo(REMOTE_BIND_PORT);

    assertThat(readLineOnServer(master, REMOTE_BIND_PORT)).isEqualTo("pong\n");
  }

  @Test
  void remoteForwardOpenedAtRunTimeStopsListeningOnTheServerWhenClosed(SshMaster master) {
    Forward forward = master.forwardRemote(0, "127.0.0.1", callback.getLocalPort());
    int serverPort = forward.remotePort();
    assertThat(forward.type()).isEqualTo(ForwardType.REMOTE);
    assertThat(readLineOnServer(master, serverPort)).isEqualTo("pong\n");

    forward.close();

    // OpenSSH's client cancels without asking for a reply, so the server may stop listening a
    // moment after close() returns: refused within a bound is what is asked.
    assertThat(
            Poll.until(
                Duration.ofSeconds(10),
                Duration.ofMillis(50),
                () -> master.exec(connectOnServer(serverPort)).exitCode() != 0))
        .as("connect to server port %d refused after close", serverPort)
        .isTrue();
  }

  // --- DYNAMIC ---------------------------------------------------------------------------------

  @Test
  void dynamicTunnelResolvesNamesOnTheServerSide(
      SshMaster master, @ForwardedPort("socks") Proxy proxy, @ForwardedPort("socks") int port)
      throws Exception {
    assertThat(proxy.type()).isEqualTo(Proxy.Type.SOCKS);
    assertThat(((InetSocketAddress) proxy.address()).getPort()).isEqualTo(port);
    assertThat(((InetSocketAddress) proxy.address()).getAddress().isLoopbackAddress()).isTrue();
    // The container's host name: known to the server, unknown to the test machine.
    String serverName = master.exec("hostname").stdout().strip();

    assertThat(httpGetThroughSocks(proxy, serverName)).contains("hello-from-the-server");
  }

  @Test
  void dynamicTunnelServesJavaUrlConnections(@ForwardedPort("socks") Proxy proxy) throws Exception {
    HttpURLConnection connection =
        (HttpURLConnection)
            new URL("http://127.0.0.1:" + HTTP_PORT + "/index.html").openConnection(proxy);
    connection.setConnectTimeout(TIMEOUT_MILLIS);
    connection.setReadTimeout(TIMEOUT_MILLIS);
    try (InputStream in = connection.getInputStream()) {
      assertThat(connection.getResponseCode()).isEqualTo(200);
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("hello-from-the-server\n");
    } finally {
      connection.disconnect();
    }
  }

  @Test
  void dynamicForwardOpenedAtRunTimeWorksAndStopsListeningWhenClosed(SshMaster master)
      throws Exception {
    Forward forward = master.forwardDynamic();
    assertThat(forward.type()).isEqualTo(ForwardType.DYNAMIC);
    assertThat(forward.localAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(forward.remotePort()).isZero();
    assertThat(forward.destinationHost()).isEmpty();
    Proxy proxy = new Proxy(Proxy.Type.SOCKS, forward.localAddress());
    assertThat(httpGetThroughSocks(proxy, "localhost")).contains("hello-from-the-server");

    forward.close();
    forward.close(); // idempotent

    assertThat(forward.isOpen()).isFalse();
    assertThatThrownBy(() -> new Socket().connect(forward.localAddress(), TIMEOUT_MILLIS))
        .isInstanceOf(ConnectException.class);
  }

  /**
   * A destination that speaks first reaches the client whole, connection after connection: the
   * proxy's reply must precede the destination's first bytes, never follow or swallow them.
   */
  @Test
  void dynamicTunnelPassesOnWhatTheDestinationSendsFirst(@ForwardedPort("socks") Proxy proxy)
      throws Exception {
    InetSocketAddress speaker = speaksFirst();
    for (int i = 0; i < 20; i++) {
      try (Socket socket = new Socket(proxy)) {
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.connect(
            InetSocketAddress.createUnresolved(speaker.getHostString(), speaker.getPort()),
            TIMEOUT_MILLIS);
        assertThat(firstLine(socket.getInputStream()))
            .as("connection %d", i)
            .startsWith(greeting());
      }
    }
  }

  /** SOCKS 4 (an address) and 4a (a name the server resolves), as older clients speak it. */
  @Test
  void dynamicTunnelAnswersSocks4And4a(@ForwardedPort("socks") InetSocketAddress socks)
      throws Exception {
    int port = speaksFirst().getPort();
    byte[] socks4 = {4, 1, (byte) (port >> 8), (byte) port, 127, 0, 0, 1, 'm', 'u', 'x', 0};
    byte[] socks4a = {
      4,
      1,
      (byte) (port >> 8),
      (byte) port,
      0,
      0,
      0,
      1,
      0,
      'l',
      'o',
      'c',
      'a',
      'l',
      'h',
      'o',
      's',
      't',
      0
    };
    for (byte[] request : new byte[][] {socks4, socks4a}) {
      try (Socket socket = new Socket()) {
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.connect(socks, TIMEOUT_MILLIS);
        socket.getOutputStream().write(request);
        byte[] reply = socket.getInputStream().readNBytes(8);
        assertThat(reply).as("SOCKS 4 reply").hasSize(8);
        assertThat(reply[1]).as("SOCKS 4 reply code (90: granted)").isEqualTo((byte) 90);
        assertThat(firstLine(socket.getInputStream())).startsWith(greeting());
      }
    }
  }

  /** A destination nobody listens on is refused to the SOCKS client, not granted and then cut. */
  @Test
  void dynamicTunnelRefusesADestinationThatIsNotListening(@ForwardedPort("socks") Proxy proxy) {
    assertThatThrownBy(
            () -> {
              try (Socket socket = new Socket(proxy)) {
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.connect(InetSocketAddress.createUnresolved("127.0.0.1", 1), TIMEOUT_MILLIS);
              }
            })
        .isInstanceOf(IOException.class);
  }

  /**
   * Where the server finds a service that speaks first: its own sshd, whose version banner comes
   * before anything the client sends.
   */
  InetSocketAddress speaksFirst() {
    return InetSocketAddress.createUnresolved("localhost", 22);
  }

  /** How {@link #speaksFirst()} starts its first line. */
  String greeting() {
    return "SSH-2.0-";
  }

  /** The port of the REMOTE tunnels' destination in the test JVM, which answers "pong". */
  static int callbackPort() {
    return callback.getLocalPort();
  }

  private static String firstLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != -1 && b != '\n'; ) {
      line.append((char) b);
    }
    return line.toString();
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** A connection made on the server to its own loopback port, reading one line. */
  private static String readLineOnServer(SshMaster master, int serverPort) {
    ExecResult result = master.exec(connectOnServer(serverPort) + " && head -n 1 <&3");
    assertThat(result.exitCode()).as("connection on the server: %s", result.stderr()).isZero();
    return result.stdout();
  }

  private static String connectOnServer(int serverPort) {
    return "exec 3<>/dev/tcp/127.0.0.1/" + serverPort;
  }

  /**
   * HTTP/1.0 over a socket through the SOCKS proxy, to an unresolved name: the proxy, that is the
   * server, resolves it.
   */
  static String httpGetThroughSocks(Proxy proxy, String host) throws IOException {
    try (Socket socket = new Socket(proxy)) {
      socket.setSoTimeout(TIMEOUT_MILLIS);
      socket.connect(InetSocketAddress.createUnresolved(host, HTTP_PORT), TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /index.html HTTP/1.0\r\nHost: " + host + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
