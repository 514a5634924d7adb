package dev.muxtest.internal.openssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.CloseableSshMaster;
import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshMasters;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Poll;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.local.LocalAgentFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JVM's agent socket of the OpenSSH engine ({@code forwardAgent}), whose clients are channels
 * the server opens: private to the user, frames capped at OpenSSH's 256 KiB, pipelined requests
 * each answered, and a bounded number of threads whatever the number of connections.
 */
@Isolated("measures the JVM's heap")
class JvmAgentSocketTest {

  private static final byte REQUEST_IDENTITIES = 11;
  private static final byte IDENTITIES_ANSWER = 12;
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path temp;

  private Path socketPath;
  private JvmAgentSocket socket;
  private KeyPair key;

  @BeforeEach
  void serve() throws IOException {
    Path directory = Files.createDirectory(temp.resolve("d"));
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    socketPath = directory.resolve("agent-under-test");
    SshAgent agent = new LocalAgentFactory().getAgent();
    key = KeyMaterial.generate();
    try {
      agent.addIdentity(key, "the-test-key");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    socket = JvmAgentSocket.serve(agent, socketPath);
  }

  @AfterEach
  void close() {
    socket.close();
  }

  /** The socket of a real master (not this test's): 0600, in the master's 0700 directory. */
  @Test
  void aMastersAgentSocketIsPrivateToTheUser() throws IOException {
    SshdContainer server = new SshdContainer();
    server.start();
    try (CloseableSshMaster master =
        SshMasters.connect(
            server, MasterOptions.defaults().withEngine(Engine.OPENSSH).withForwardAgent(true))) {
      Path directory = master.controlPath().orElseThrow().getParent();
      List<Path> agentSockets;
      try (Stream<Path> entries = Files.list(directory)) {
        agentSockets =
            entries
                .filter(p -> !p.equals(master.controlPath().get()) && isSocket(p))
                .collect(Collectors.toList());
      }

      assertThat(agentSockets).as("agent sockets in %s", directory).hasSize(1);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agentSockets.get(0))))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
          .isEqualTo("rwx------");
      // It is the agent the server's sessions use.
      assertThat(master.exec("ssh-add -l").stdout()).contains("The agent has no identities");
    } finally {
      server.stop();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0x7ffffff0, 0x80000000, 0xffffffff, 256 * 1024 + 1, 0})
  void aFrameOverTheCapClosesItsConnectionAndIsNotBuffered(int declaredLength) throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long heapBefore = memory.getHeapMemoryUsage().getUsed();

    try (SocketChannel client = connect()) {
      client.write(ByteBuffer.allocate(4).putInt(declaredLength).flip());
      // Stream the announced message as a hostile server would; the agent must not take it.
      long sent = bounded(() -> writeUntilRefused(client, 64L * 1024 * 1024));
      assertThat(sent)
          .as("bytes the agent took after a header announcing %d", declaredLength)
          .isLessThan(4L * 1024 * 1024);
      // Closed with data of ours still unread, the agent's side may answer with a reset: closed
      // too.
      assertThat(bounded(() -> closedByThePeer(client)))
          .as("the agent closed the connection")
          .isTrue();

      System.gc();
      assertThat(memory.getHeapMemoryUsage().getUsed() - heapBefore)
          .as("heap growth with the connection still open on this side")
          .isLessThan(32L * 1024 * 1024);
    }

    assertThat(identitiesOverANewConnection()).as("the agent answers others").isEqualTo(1);
  }

  @Test
  void aFrameAtTheCapIsRead() throws Exception {
    // 256 KiB: a sign request for a key the agent lacks, padded. The agent answers (a failure).
    try (SocketChannel client = connect()) {
      ByteBuffer frame = ByteBuffer.allocate(4 + JvmAgentSocket.MAX_FRAME);
      frame.putInt(JvmAgentSocket.MAX_FRAME).put((byte) 13).position(frame.limit()).flip();
      bounded(() -> writeAll(client, frame));
      byte[] reply = bounded(() -> readFrame(client));
      assertThat(reply).as("SSH_AGENT_FAILURE, the whole message").containsExactly(5);
    }
  }

  @Test
  void pipelinedRequestsAreEachAnswered() throws Exception {
    try (SocketChannel client = connect()) {
      byte[] request = {0, 0, 0, 1, REQUEST_IDENTITIES};
      // Two whole requests and the first two bytes of a third in one write, the rest in another.
      ByteBuffer first = ByteBuffer.allocate(12).put(request).put(request).put(request, 0, 2);
      bounded(() -> writeAll(client, first.flip()));
      bounded(() -> writeAll(client, ByteBuffer.wrap(request, 2, 3)));

      for (int i = 0; i < 3; i++) {
        byte[] reply = bounded(() -> readFrame(client));
        assertThat(reply[0]).as("reply %d", i).isEqualTo(IDENTITIES_ANSWER);
        assertThat(ByteBuffer.wrap(reply, 1, 4).getInt()).as("keys in reply %d", i).isEqualTo(1);
      }
    }
  }

  @Test
  void aThousandConnectionsAtOnceKeepItsThreadsBounded() throws Exception {
    String prefix = JvmAgentSocket.threadName(socketPath);
    List<SocketChannel> clients = new ArrayList<>();
    try {
      bounded(
          () -> {
            for (int i = 0; i < 1000; i++) {
              clients.add(connect());
            }
            return null;
          });
      assertThat(Poll.until(BOUND, Duration.ofMillis(50), () -> threadsNamed(prefix) > 1))
          .as("the agent serves some of them")
          .isTrue();
      assertThat(threadsNamed(prefix))
          .as("threads of the agent socket with 1000 connections open")
          .isLessThanOrEqualTo(JvmAgentSocket.MAX_CLIENTS + 1);
    } finally {
      for (SocketChannel client : clients) {
        client.close();
      }
    }

    assertThat(identitiesOverANewConnection()).as("the agent answers afterwards").isEqualTo(1);
    assertThat(threadsNamed(prefix)).isLessThanOrEqualTo(JvmAgentSocket.MAX_CLIENTS + 1);

    socket.close();
    assertThat(Poll.until(BOUND, Duration.ofMillis(50), () -> threadsNamed(prefix) == 0))
        .as("threads of the agent socket after close()")
        .isTrue();
    assertThat(socketPath).doesNotExist();
  }

  /**
   * Connections that never send would otherwise hold every worker for good: each is closed after
   * the idle timeout, and a request waiting behind them is then answered (security-review-2, R3-4).
   */
  @Test
  void connectionsThatSendNothingAreClosedSoALaterRequestIsAnswered() throws Exception {
    List<SocketChannel> idle = new ArrayList<>();
    try {
      for (int i = 0; i < JvmAgentSocket.MAX_CLIENTS; i++) {
        idle.add(bounded(this::connect));
      }

      assertThat(identitiesOverANewConnection()).as("a request behind idle ones").isEqualTo(1);
      for (SocketChannel client : idle) {
        assertThat(bounded(() -> closedByThePeer(client))).as("an idle connection").isTrue();
      }
    } finally {
      for (SocketChannel client : idle) {
        client.close();
      }
    }
  }

  private SocketChannel connect() throws IOException {
    return SocketChannel.open(UnixDomainSocketAddress.of(socketPath));
  }

  /** Asks a new connection for the agent's identities: how many it holds. */
  private int identitiesOverANewConnection() throws Exception {
    try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      bounded(() -> client.connect(UnixDomainSocketAddress.of(socketPath)));
      bounded(() -> writeAll(client, ByteBuffer.wrap(new byte[] {0, 0, 0, 1, REQUEST_IDENTITIES})));
      byte[] reply = bounded(() -> readFrame(client));
      assertThat(reply[0]).isEqualTo(IDENTITIES_ANSWER);
      return ByteBuffer.wrap(reply, 1, 4).getInt();
    }
  }

  /** Writes {@code limit} bytes or until the peer refuses them; how many were written. */
  private static long writeUntilRefused(SocketChannel client, long limit) {
    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    long sent = 0;
    try {
      while (sent < limit) {
        chunk.clear();
        sent += client.write(chunk);
      }
    } catch (IOException refused) {
      // Broken pipe or connection reset: the agent closed its end.
    }
    return sent;
  }

  private static Void writeAll(SocketChannel client, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      client.write(buffer);
    }
    return null;
  }

  /** Reads one agent message: its length, then its body (returned). */
  private static byte[] readFrame(SocketChannel client) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(4);
    readFully(client, header);
    ByteBuffer body = ByteBuffer.allocate(header.getInt(0));
    readFully(client, body);
    return body.array();
  }

  private static void readFully(SocketChannel client, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (client.read(buffer) < 0) {
        throw new IOException("the agent closed the connection");
      }
    }
  }

  private interface Io<T> {
    T run() throws Exception;
  }

  /** Runs blocking socket I/O (which has no timeout of its own) within {@link #BOUND}. */
  private static <T> T bounded(Io<T> io) throws Exception {
    CompletableFuture<T> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return io.run();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    try {
      return result.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IllegalStateException wrapped && wrapped.getCause() != null
          ? (Exception) wrapped.getCause()
          : e;
    }
  }

  private static boolean isSocket(Path path) {
    try {
      return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .isOther();
    } catch (IOException e) {
      return false;
    }
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  /** Whether the peer closed {@code client}: end of stream, or a reset. */
  private static boolean closedByThePeer(SocketChannel client) throws IOException {
    try {
      return client.read(ByteBuffer.allocate(1)) == -1;
    } catch (SocketException reset) {
      return reset.getMessage() != null && reset.getMessage().contains("reset");
    }
  }
}
