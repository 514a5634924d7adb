package dev.muxtest.internal.mina;

import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.Poll;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A local or dynamic forward: a listener on loopback whose every accepted connection becomes one
 * direct-tcpip channel (or, to a UNIX-domain socket on the server, one direct-streamlocal channel)
 * of the master's current connection, pumped with blocking streams. For a dynamic forward each
 * connection first says where it goes, in a SOCKS request ({@link SocksHandshake}), within {@link
 * #SOCKS_TIMEOUT}. At most {@link #MAX_CONNECTIONS} connections are open at once: each holds a
 * thread or two, and any local user can connect.
 *
 * <p>Why not MINA's own local forwarder: it acknowledges channel data to the server as soon as it
 * is queued for the local socket, so a fast server fills the JVM's heap when the local reader is
 * slower, and when the server then closes the channel, queued bytes that do not drain within the
 * channel close timeout are dropped (a 256 MiB stream lost its last 10 MiB). Blocking streams give
 * back-pressure (the SSH window opens only as the local side takes data) and an orderly half-close
 * in each direction: end of stream on one side becomes EOF on the other, and the connection closes
 * when both directions have ended.
 */
final class StreamingLocalForward implements Forward {

  private static final System.Logger LOG = System.getLogger(StreamingLocalForward.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final int BACKLOG = 128;

  /** Connections open at once per forward; more are closed at accept, each costing threads. */
  static final int MAX_CONNECTIONS = 256;

  /** How long a SOCKS client may take to say where it goes: an idle one holds a thread. */
  static final Duration SOCKS_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration STOP_WAIT = Duration.ofSeconds(5);
  private static final Duration UNBIND_WAIT = Duration.ofSeconds(2);
  private static final Duration UNBIND_PAUSE = Duration.ofMillis(10);

  private final Supplier<ClientSession> session;
  private final ForwardType type; // LOCAL or DYNAMIC
  private final SshdSocketAddress destination; // null for a socket or a SOCKS proxy
  private final String socketPath; // null for a TCP destination
  private final Duration openTimeout;
  private final Consumer<Forward> onClose;
  private final ServerSocket listener;
  private final ExecutorService threads;
  private final Set<ForwardedConnection> connections = ConcurrentHashMap.newKeySet();

  /**
   * Every accepted socket until its connection ends, also before it has a channel (a SOCKS client
   * still sending its request): closing the forward closes them, which a blocked read needs.
   */
  private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean warnedFull = new AtomicBoolean();

  private StreamingLocalForward(
      Supplier<ClientSession> session,
      ForwardType type,
      SshdSocketAddress destination,
      String socketPath,
      Duration openTimeout,
      Consumer<Forward> onClose,
      ServerSocket listener) {
    this.session = session;
    this.type = type;
    this.destination = destination;
    this.socketPath = socketPath;
    this.openTimeout = openTimeout;
    this.onClose = onClose;
    this.listener = listener;
    int port = listener.getLocalPort();
    this.threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread =
                  new Thread(task, "muxtest-forward-" + port + "-" + THREADS.incrementAndGet());
              thread.setDaemon(true); // never what keeps a JVM alive; close() ends them anyway
              return thread;
            });
  }

  /** Binds a listener on loopback, on {@code bindPort} or a free port (0), and starts accepting. */
  static StreamingLocalForward open(
      Supplier<ClientSession> session,
      int bindPort,
      String host,
      int port,
      Duration openTimeout,
      Consumer<Forward> onClose)
      throws IOException {
    return start(
        new StreamingLocalForward(
            session,
            ForwardType.LOCAL,
            new SshdSocketAddress(host, port),
            null,
            openTimeout,
            onClose,
            bind(bindPort)));
  }

  /**
   * As {@link #open}, each connection a direct-streamlocal channel to the UNIX-domain socket {@code
   * socketPath} on the server.
   */
  static StreamingLocalForward openToSocket(
      Supplier<ClientSession> session,
      int bindPort,
      String socketPath,
      Duration openTimeout,
      Consumer<Forward> onClose)
      throws IOException {
    return start(
        new StreamingLocalForward(
            session, ForwardType.LOCAL, null, socketPath, openTimeout, onClose, bind(bindPort)));
  }

  /**
   * A SOCKS 4/4a/5 proxy on loopback: each connection's CONNECT request names the destination,
   * which the server connects to (and resolves, for a name) through a direct-tcpip channel.
   */
  static StreamingLocalForward openSocks(
      Supplier<ClientSession> session,
      int bindPort,
      Duration openTimeout,
      Consumer<Forward> onClose)
      throws IOException {
    return start(
        new StreamingLocalForward(
            session, ForwardType.DYNAMIC, null, null, openTimeout, onClose, bind(bindPort)));
  }

  private static ServerSocket bind(int bindPort) throws IOException {
    ServerSocket listener = new ServerSocket();
    try {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPort), BACKLOG);
    } catch (IOException e) {
      listener.close();
      throw e;
    }
    return listener;
  }

  private static StreamingLocalForward start(StreamingLocalForward forward) {
    forward.threads.execute(forward::acceptLoop);
    return forward;
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!closed.get()) {
          LOG.log(Level.WARNING, "Forward " + this + " stopped accepting", e);
        }
        return;
      }
      if (accepted.size() >= MAX_CONNECTIONS) {
        LOG.log(
            warnedFull.getAndSet(true) ? Level.DEBUG : Level.WARNING,
            "Forward {0} has {1} connections open, its limit: a new one is closed",
            this,
            MAX_CONNECTIONS);
        Closing.quietly(socket);
        continue;
      }
      accepted.add(socket);
      try {
        threads.execute(() -> serve(socket));
      } catch (RuntimeException rejectedAfterClose) {
        accepted.remove(socket);
        Closing.quietly(socket);
      }
    }
  }

  private void serve(Socket socket) {
    ForwardedConnection connection = null;
    try {
      if (closed.get()) {
        return; // closed while this connection waited for its thread: close() may have missed it
      }
      socket.setTcpNoDelay(true);
      SocksHandshake socks =
          type == ForwardType.DYNAMIC ? SocksHandshake.read(socket, SOCKS_TIMEOUT) : null;
      SshdSocketAddress originator =
          new SshdSocketAddress(socket.getInetAddress().getHostAddress(), socket.getPort());
      HalfClosingForwardChannel channel =
          socketPath != null
              ? DirectStreamLocalChannel.create(session.get(), socketPath)
              : HalfClosingDirectTcpip.create(
                  session.get(), originator, socks != null ? socks.destination() : destination);
      connection = new ForwardedConnection(socket, channel);
      connections.add(connection);
      if (closed.get()) {
        return;
      }
      try {
        channel.open().verify(openTimeout);
      } catch (IOException e) {
        if (socks != null) {
          socks.refused(e);
        }
        throw e;
      }
      if (socks != null) {
        socks.granted(); // before the pump starts: the reply precedes the destination's data
      }
      Future<?> upstream = threads.submit(connection::pumpUpstream);
      connection.pumpDownstream();
      upstream.get(); // the connection ends when both directions have ended
    } catch (Exception e) {
      if (!closed.get()) {
        LOG.log(Level.DEBUG, "Connection through forward " + this + " ended: " + e);
      }
    } finally {
      if (connection != null) {
        connection.close();
        connections.remove(connection);
      } else {
        Closing.quietly(socket);
      }
      accepted.remove(socket);
    }
  }

  @Override
  public ForwardType type() {
    return type;
  }

  @Override
  public int localPort() {
    return listener.getLocalPort();
  }

  @Override
  public int remotePort() {
    return destinationPort();
  }

  @Override
  public InetSocketAddress localAddress() {
    return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
  }

  @Override
  public String destinationHost() {
    return destination == null ? "" : destination.getHostName();
  }

  @Override
  public int destinationPort() {
    return destination == null ? 0 : destination.getPort();
  }

  @Override
  public Optional<String> remoteSocketPath() {
    return Optional.ofNullable(socketPath);
  }

  @Override
  public boolean isOpen() {
    return !closed.get() && !listener.isClosed();
  }

  /**
   * Stops listening, cuts the connections still open, waits (bounded) for its threads and until the
   * port refuses.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    int port = listener.getLocalPort();
    Closing.quietly(listener);
    List.copyOf(connections).forEach(ForwardedConnection::close);
    List.copyOf(accepted).forEach(Closing::quietly);
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(Level.WARNING, "Threads of forward {0} did not stop within {1}", this, STOP_WAIT);
      }
      // A process another thread of this JVM starts at this moment holds a copy of the listening
      // socket until it has closed the descriptors it inherited: the port may accept a moment
      // longer (seen in CI, the listener gone a few milliseconds later). Closed means the port
      // refuses, so wait for that, briefly.
      Poll.until(UNBIND_WAIT, UNBIND_PAUSE, () -> !accepts(port));
    } catch (SshOperationException interruptedWhileWaiting) {
      // the flag is set again; the listener is closed, which is what close() owes
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      onClose.accept(this);
    }
  }

  private static boolean accepts(int port) {
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  @Override
  public String toString() {
    if (type == ForwardType.DYNAMIC) {
      return "SOCKS 127.0.0.1:" + listener.getLocalPort();
    }
    return "127.0.0.1:"
        + listener.getLocalPort()
        + " -> "
        + (socketPath != null
            ? socketPath
            : destination.getHostName() + ":" + destination.getPort());
  }
}
