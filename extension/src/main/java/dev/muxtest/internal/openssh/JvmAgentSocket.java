package dev.muxtest.internal.openssh;

import dev.muxtest.internal.engine.AgentConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.agent.SshAgent;

/**
 * An SSH agent of the test JVM on a UNIX socket, for the OpenSSH engine's {@code IdentityAgent}:
 * MINA's in-memory agent speaks the agent protocol, so private keys stay in the JVM.
 *
 * <p>Its clients are the master's forwarded-agent channels, so the server decides what arrives:
 * frames are read by {@link AgentConnection} (capped, several in one read each answered), a fixed
 * number of connections is served at once by as many threads, further connections wait in the
 * socket's backlog, and a served connection that sends nothing for {@link #IDLE_TIMEOUT} is closed,
 * freeing its thread.
 */
final class JvmAgentSocket implements AutoCloseable {

  /** The largest agent message; a longer one ends its client. */
  static final int MAX_FRAME = AgentConnection.MAX_MESSAGE;

  /** Connections served at once, each by a thread of its own. */
  static final int MAX_CLIENTS = AgentConnection.MAX_CONNECTIONS;

  /**
   * How long a served connection may send nothing before it is closed: otherwise {@link
   * #MAX_CLIENTS} idle connections would keep every later agent request waiting forever.
   */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  private static final int READ_CHUNK = 8192;

  /** Connections waiting to be served; more wait in {@code connect}. */
  private static final int BACKLOG = 1024;

  private static final System.Logger LOG = System.getLogger(JvmAgentSocket.class.getName());

  private final Path path;
  private final ServerSocketChannel server;
  private final SshAgent agent;
  private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
  private final Semaphore slots = new Semaphore(MAX_CLIENTS);
  private final ExecutorService workers;
  private final ScheduledThreadPoolExecutor timeouts;
  private final Thread acceptor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JvmAgentSocket(Path path, ServerSocketChannel server, SshAgent agent) {
    this.path = path;
    this.server = server;
    this.agent = agent;
    String threadName = threadName(path);
    AtomicInteger workerNumber = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            MAX_CLIENTS,
            MAX_CLIENTS,
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new Thread(task, threadName + "-" + workerNumber.incrementAndGet());
              thread.setDaemon(true); // close() ends it; never what keeps a JVM alive
              return thread;
            });
    pool.allowCoreThreadTimeOut(true); // no thread while nobody asks the agent
    this.workers = pool;
    // Named apart from the workers: "muxtest-agent-timeouts-<socket>".
    this.timeouts =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "muxtest-agent-timeouts-" + path.getFileName());
              thread.setDaemon(true);
              return thread;
            });
    timeouts.setRemoveOnCancelPolicy(true);
    timeouts.setKeepAliveTime(10, TimeUnit.SECONDS);
    timeouts.allowCoreThreadTimeOut(true);
    this.acceptor = new Thread(this::acceptLoop, threadName);
    acceptor.setDaemon(true);
  }

  /** Serves {@code agent} on a new socket at {@code path}, readable by this user only. */
  static JvmAgentSocket serve(SshAgent agent, Path path) {
    try {
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(path), BACKLOG);
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
      JvmAgentSocket socket = new JvmAgentSocket(path, server, agent);
      socket.acceptor.start();
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serve an SSH agent on " + path, e);
    }
  }

  /** The name of the socket's threads: this, and this followed by {@code -<n>}. */
  static String threadName(Path path) {
    return "muxtest-agent-" + path.getFileName();
  }

  Path path() {
    return path;
  }

  private void acceptLoop() {
    while (!closed.get()) {
      try {
        slots.acquire(); // at most MAX_CLIENTS accepted; the rest wait in the backlog
      } catch (InterruptedException e) {
        return; // close()
      }
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        slots.release();
        if (!closed.get()) {
          LOG.log(Level.WARNING, "SSH agent socket " + path + " stopped accepting", e);
        }
        return;
      }
      clients.add(client);
      try {
        workers.execute(() -> serve(client));
      } catch (RejectedExecutionException e) {
        ended(client); // closing
      }
    }
  }

  private void serve(SocketChannel client) {
    AgentConnection connection = new AgentConnection(agent);
    ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK);
    try {
      while (true) {
        chunk.clear();
        int read = readWithinTimeout(client, chunk);
        if (read < 0) {
          if (connection.withinMessage()) {
            LOG.log(Level.DEBUG, "SSH agent client on {0} closed within a message", path);
          }
          return;
        }
        connection.take(chunk.array(), 0, read, reply -> writeAll(client, reply));
      }
    } catch (AgentConnection.TooLong e) {
      LOG.log(Level.WARNING, "SSH agent socket {0}: a client announced {1}", path, e.getMessage());
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "SSH agent client on " + path + " ended: " + e);
    } finally {
      ended(client);
    }
  }

  /** One read, the connection closed (the read then fails) if nothing comes within the timeout. */
  private int readWithinTimeout(SocketChannel client, ByteBuffer chunk) throws IOException {
    ScheduledFuture<?> timeout =
        timeouts.schedule(
            () -> {
              LOG.log(
                  Level.DEBUG,
                  "SSH agent client on {0} sent nothing for {1}; its connection is closed",
                  path,
                  IDLE_TIMEOUT);
              closeQuietly(client);
            },
            IDLE_TIMEOUT.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      return client.read(chunk);
    } finally {
      timeout.cancel(false);
    }
  }

  private static void writeAll(SocketChannel client, byte[] bytes) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(bytes);
    while (out.hasRemaining()) {
      client.write(out);
    }
  }

  private void closeQuietly(SocketChannel client) {
    try {
      client.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "Closing an SSH agent client on " + path + " failed: " + e);
    }
  }

  private void ended(SocketChannel client) {
    try {
      client.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "Closing an SSH agent client on " + path + " failed: " + e);
    } finally {
      if (clients.remove(client)) {
        slots.release();
      }
    }
  }

  /** Stops serving, ends every client connection and removes the socket. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    acceptor.interrupt();
    workers.shutdownNow();
    timeouts.shutdownNow();
    try {
      server.close();
      for (SocketChannel client : clients) {
        client.close();
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Closing the SSH agent socket " + path + " failed", e);
    }
  }
}
