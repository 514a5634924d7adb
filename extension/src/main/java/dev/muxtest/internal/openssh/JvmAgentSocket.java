package dev.muxtest.internal.openssh;

import java.io.EOFException;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentConstants;
import org.apache.sshd.agent.common.AbstractAgentClient;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * An SSH agent of the test JVM on a UNIX socket, for the OpenSSH engine's {@code IdentityAgent}:
 * MINA's in-memory agent speaks the agent protocol, so private keys stay in the JVM.
 *
 * <p>Its clients are the master's forwarded-agent channels, so the server decides what arrives:
 * frames are capped as OpenSSH's own agent caps them, several frames in one read are each answered,
 * and a fixed number of connections is served at once by as many threads; further connections wait
 * in the socket's backlog.
 */
final class JvmAgentSocket implements AutoCloseable {

  /**
   * The largest agent message, as OpenSSH's {@code AGENT_MAX_LEN}; a longer one ends its client.
   */
  static final int MAX_FRAME = 256 * 1024;

  /** Connections served at once, each by a thread of its own. */
  static final int MAX_CLIENTS = 16;

  /** Connections waiting to be served; more wait in {@code connect}. */
  private static final int BACKLOG = 1024;

  private static final System.Logger LOG = System.getLogger(JvmAgentSocket.class.getName());

  private final Path path;
  private final ServerSocketChannel server;
  private final SshAgent agent;
  private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
  private final Semaphore slots = new Semaphore(MAX_CLIENTS);
  private final ExecutorService workers;
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
    Protocol protocol = new Protocol(agent);
    ByteBuffer header = ByteBuffer.allocate(4);
    try {
      while (true) {
        header.clear();
        if (!readFully(client, header, true)) {
          return; // the client is done
        }
        int length = header.getInt(0);
        // Unsigned on the wire: a negative int is above 2 GiB.
        if (length <= 0 || length > MAX_FRAME) {
          LOG.log(
              Level.WARNING,
              "SSH agent socket {0}: a client announced a message of {1} bytes (at most {2}); "
                  + "its connection is closed",
              path,
              Integer.toUnsignedLong(length),
              MAX_FRAME);
          return;
        }
        ByteBuffer message = ByteBuffer.allocate(length);
        readFully(client, message, false);
        protocol.answer(client, message.array());
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "SSH agent client on " + path + " ended: " + e);
    } finally {
      ended(client);
    }
  }

  /**
   * Fills {@code buffer}; false if the stream ended before its first byte and {@code endAllowed}.
   *
   * @throws EOFException if the stream ends within it otherwise
   */
  private static boolean readFully(SocketChannel client, ByteBuffer buffer, boolean endAllowed)
      throws IOException {
    while (buffer.hasRemaining()) {
      if (client.read(buffer) < 0) {
        if (endAllowed && buffer.position() == 0) {
          return false;
        }
        throw new EOFException("the client closed within an agent message");
      }
    }
    return true;
  }

  /**
   * MINA's agent protocol, one whole message at a time. Its own framing ({@code messageReceived})
   * answers one message per read, buffers any announced length, and frames its failure replies
   * wrongly (an extra 4 bytes before the failure code); this keeps only its dispatch.
   */
  private static final class Protocol extends AbstractAgentClient {

    Protocol(SshAgent agent) {
      super(agent);
    }

    /** Answers {@code message} (the bytes after its length) on {@code client}. */
    void answer(SocketChannel client, byte[] message) throws IOException {
      Buffer request = new ByteArrayBuffer(message);
      Buffer reply = emptyReply();
      int command = request.getUByte();
      try {
        process(command, request, reply);
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "SSH agent request {0} failed: {1}", command, e.toString());
        reply = emptyReply();
        reply.putByte(SshAgentConstants.SSH_AGENT_FAILURE);
      }
      Buffer framed = prepare(reply);
      ByteBuffer out = ByteBuffer.wrap(framed.array(), framed.rpos(), framed.available());
      while (out.hasRemaining()) {
        client.write(out);
      }
    }

    /** A reply buffer with room for its length in front, as {@link #prepare} expects. */
    private static Buffer emptyReply() {
      Buffer reply = new ByteArrayBuffer();
      reply.putUInt(0L);
      reply.rpos(reply.wpos());
      return reply;
    }

    @Override
    protected void reply(Buffer buffer) {
      throw new UnsupportedOperationException("answers go through answer()");
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
