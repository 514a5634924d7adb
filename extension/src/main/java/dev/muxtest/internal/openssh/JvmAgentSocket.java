package dev.muxtest.internal.openssh;

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
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.common.AbstractAgentClient;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * An SSH agent of the test JVM on a UNIX socket, for the OpenSSH engine's {@code IdentityAgent}:
 * MINA's in-memory agent speaks the agent protocol, so private keys stay in the JVM.
 */
final class JvmAgentSocket implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(JvmAgentSocket.class.getName());

  private final Path path;
  private final ServerSocketChannel server;
  private final SshAgent agent;
  private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private JvmAgentSocket(Path path, ServerSocketChannel server, SshAgent agent) {
    this.path = path;
    this.server = server;
    this.agent = agent;
  }

  /** Serves {@code agent} on a new socket at {@code path}, readable by this user only. */
  static JvmAgentSocket serve(SshAgent agent, Path path) {
    try {
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(path));
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
      JvmAgentSocket socket = new JvmAgentSocket(path, server, agent);
      Thread acceptor = new Thread(socket::acceptLoop, "muxtest-agent-" + path.getFileName());
      acceptor.setDaemon(true); // close() ends it; never what keeps a JVM alive
      acceptor.start();
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serve an SSH agent on " + path, e);
    }
  }

  Path path() {
    return path;
  }

  private void acceptLoop() {
    while (!closed.get()) {
      try {
        SocketChannel client = server.accept();
        clients.add(client);
        Thread thread = new Thread(() -> serve(client), "muxtest-agent-client");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        if (!closed.get()) {
          LOG.log(Level.WARNING, "SSH agent socket " + path + " stopped accepting", e);
        }
        return;
      }
    }
  }

  private void serve(SocketChannel client) {
    AbstractAgentClient protocol =
        new AbstractAgentClient(agent) {
          @Override
          protected void reply(Buffer buffer) throws IOException {
            ByteBuffer out = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
            while (out.hasRemaining()) {
              client.write(out);
            }
          }
        };
    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    try (client) {
      while (client.read(in) >= 0) {
        in.flip();
        byte[] bytes = new byte[in.remaining()];
        in.get(bytes);
        in.clear();
        protocol.messageReceived(new ByteArrayBuffer(bytes));
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "SSH agent client on " + path + " ended: " + e);
    } finally {
      clients.remove(client);
    }
  }

  /** Stops serving, ends every client connection and removes the socket. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
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
