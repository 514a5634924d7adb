package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.Poll;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MINA engine's local and dynamic forwards against idle local clients (security-review-2,
 * R3-12): any local user can connect, and each connection holds threads, so a forward keeps at most
 * 256 open (the rest closed at accept) and gives a SOCKS client 5 s to say where it goes; it serves
 * a new connection afterwards.
 */
@SshMultiplexing(engine = Engine.MINA)
class MinaForwardLimitsTest {

  private static final int LIMIT = 256;
  private static final int CLIENTS = 400;
  private static final Duration BOUND = Duration.ofSeconds(30);

  @SshServer static EmbeddedSshServer server = new EmbeddedSshServer();

  private ServerSocket destination;
  private final BlockingQueue<Socket> arrived = new LinkedBlockingQueue<>();
  private final List<Socket> clients = new ArrayList<>();

  /** A destination that accepts and holds every connection, without a thread for each. */
  @BeforeEach
  void startTheDestination() throws IOException {
    destination = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!destination.isClosed()) {
                try {
                  arrived.add(destination.accept());
                } catch (IOException closed) {
                  return;
                }
              }
            },
            "forward-limits-destination");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void closeEverything() throws IOException {
    for (Socket client : clients) {
      client.close();
    }
    destination.close();
    for (Socket socket : arrived) {
      socket.close();
    }
  }

  @Test
  void idleConnectionsBeyondTheLimitAreClosedAndTheThreadsStayBounded(SshMaster master)
      throws Exception {
    Forward forward = master.forwardLocal("127.0.0.1", destination.getLocalPort());
    String threads = "muxtest-forward-" + forward.localPort() + "-";

    for (int i = 0; i < CLIENTS; i++) {
      clients.add(connect(forward.localPort()));
    }
    boolean settled =
        Poll.until(
            BOUND,
            Duration.ofMillis(100),
            () -> arrived.size() >= LIMIT && closedByTheForward() >= CLIENTS - LIMIT);

    assertThat(settled)
        .as(
            "%d of %d idle clients reached the destination, %d were closed by the forward",
            arrived.size(), CLIENTS, closedByTheForward())
        .isTrue();
    assertThat(arrived).as("connections that reached the destination").hasSize(LIMIT);
    assertThat(threadsNamed(threads))
        .as("threads of the forward with %d idle clients", CLIENTS)
        .isLessThanOrEqualTo(2 * LIMIT + 1);

    for (Socket client : clients) {
      client.close();
    }
    forgetArrived();
    // The forward frees a slot when that connection's pumps have ended, a moment after both ends
    // closed: until then it still holds the limit and closes a new client at accept.
    assertThat(roundTrip(servedClient(forward.localPort()))).isEqualTo("ping");
  }

  /**
   * A client the forward accepted rather than closed at once, once its earlier connections have
   * ended (within {@link #BOUND}); a client it closes reads end of stream at once.
   */
  private Socket servedClient(int port) {
    Socket[] served = new Socket[1];
    boolean accepted =
        Poll.until(
            BOUND,
            Duration.ofMillis(50),
            () -> {
              try {
                Socket client = connect(port);
                client.setSoTimeout(500);
                try {
                  if (client.getInputStream().read() != -1) {
                    throw new AssertionError("the forward sent data before the client did");
                  }
                  client.close(); // closed at accept: the limit is still held
                  return false;
                } catch (SocketTimeoutException waitingForData) {
                  client.setSoTimeout((int) BOUND.toMillis());
                  served[0] = client;
                  return true;
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    assertThat(accepted)
        .as("the forward serves a new client within %s after its idle clients closed", BOUND)
        .isTrue();
    return served[0];
  }

  @Test
  void anIdleSocksClientIsClosedWithinFiveSecondsAndTheProxyServesTheNextOne(SshMaster master)
      throws Exception {
    Forward socks = master.forwardDynamic();
    Socket idle = connect(socks.localPort());
    idle.setSoTimeout(10_000);

    long start = System.nanoTime();
    int read;
    try {
      read = idle.getInputStream().read();
    } catch (SocketTimeoutException stillOpen) {
      read = -2;
    }
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(read).as("what an idle SOCKS client reads after %d ms", waited).isEqualTo(-1);
    assertThat(waited).isBetween(4_000L, 9_000L);

    Socket client = connect(socks.localPort());
    OutputStream out = client.getOutputStream();
    DataInputStream in = new DataInputStream(client.getInputStream());
    out.write(new byte[] {5, 1, 0});
    out.flush();
    assertThat(in.readNBytes(2)).containsExactly(5, 0);
    forgetArrived();
    int port = destination.getLocalPort();
    out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port});
    out.flush();
    assertThat(in.readNBytes(10)[1]).as("SOCKS 5 reply code").isEqualTo((byte) 0);
    assertThat(roundTrip(client)).isEqualTo("ping");
  }

  private Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    socket.setSoTimeout((int) BOUND.toMillis());
    clients.add(socket);
    return socket;
  }

  /** Closes the connections that reached the destination so far. */
  private void forgetArrived() throws IOException {
    List<Socket> earlier = new ArrayList<>();
    arrived.drainTo(earlier);
    for (Socket socket : earlier) {
      socket.close();
    }
  }

  /** Sends "ping" through {@code client}; what the next connection at the destination reads. */
  private String roundTrip(Socket client) throws Exception {
    client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
    client.getOutputStream().flush();
    Socket far = arrived.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(far).as("a connection at the destination").isNotNull();
    far.setSoTimeout((int) BOUND.toMillis());
    InputStream in = far.getInputStream();
    return new String(in.readNBytes(4), StandardCharsets.US_ASCII);
  }

  /** Clients the forward closed: they read end of stream at once. */
  private int closedByTheForward() {
    int closed = 0;
    for (Socket client : clients) {
      try {
        if (client.getInputStream().available() == 0 && isAtEnd(client)) {
          closed++;
        }
      } catch (IOException reset) {
        closed++;
      }
    }
    return closed;
  }

  private static boolean isAtEnd(Socket client) throws IOException {
    int previous = client.getSoTimeout();
    client.setSoTimeout(1);
    try {
      return client.getInputStream().read() == -1;
    } catch (SocketTimeoutException open) {
      return false;
    } finally {
      client.setSoTimeout(previous);
    }
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }
}
