package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.assertj.MuxAssertions;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The multiplexing conformance suite, modelled on OpenSSH's own {@code regress/multiplex.sh}: every
 * case once, run per engine by {@link MinaConformanceTest} and {@link OpenSshConformanceTest}.
 *
 * <p>Each subclass declares its own {@code @SshServer} field from {@link #server()}, and its own
 * {@code @Nested} {@link StopWhileASessionRunsCases} with a server of its own. A static field
 * declared here (or in a nested class declared here) would be one object shared by both engines'
 * classes: each class's extension starts it when it finds it stopped and stops it after the class,
 * so the classes would depend on their order, and could not run concurrently at all.
 *
 * <p>Every case ends with the proof that all its sessions and forwards shared one TCP connection.
 */
abstract class MultiplexingConformance {

  static final int BLOB_PORT = 9000;
  static final long BLOB_SIZE = 64L * 1024 * 1024;
  static final String BLOB = "/tmp/blob";

  /** Bound on any one command or wait of the suite. */
  static final Duration BOUND = Duration.ofSeconds(30);

  private static final Duration POLL_PAUSE = Duration.ofMillis(100);

  /** The outer master of each engine's class, so the nested class can tell its own from it. */
  static final Map<Engine, SshMaster> OUTER_MASTERS = new ConcurrentHashMap<>();

  /**
   * A server for one engine's class: a blob of random bytes served by socat on the server's
   * loopback. The file is socat's second address, so every forked child opens it afresh.
   */
  static SshdContainer server() {
    return new SshdContainer()
        .withBackgroundCommand(
            "head -c "
                + BLOB_SIZE
                + " /dev/urandom > "
                + BLOB
                + ".part && mv "
                + BLOB
                + ".part "
                + BLOB
                + " && exec socat -U TCP-LISTEN:"
                + BLOB_PORT
                + ",bind=127.0.0.1,reuseaddr,fork OPEN:"
                + BLOB);
  }

  /**
   * The port of the SSH server as a command on the server reaches it on its own loopback: sshd's
   * port 22 in a container; an embedded server's own port, on the test machine.
   */
  int sshPortOnServer() {
    return SshdContainer.SSH_PORT;
  }

  @BeforeAll
  static void rememberOuterMaster(SshMaster master) {
    OUTER_MASTERS.put(master.engine(), master);
  }

  /**
   * Also runs after the nested class's case, on the nested class's own (stopped) master: the proof
   * reads the client's count and the server's log, and needs no live master.
   */
  @AfterEach
  void everySessionSharedOneConnection(SshMaster master) {
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }

  // --- commands ----------------------------------------------------------------------------------

  @ParameterizedTest(name = "exit {0}")
  @ValueSource(ints = {0, 1, 3, 42, 255})
  void exitStatusPassesThrough(int status, SshMaster master) {
    ExecResult result = master.exec("exit " + status);

    assertThat(result.exitCode()).isEqualTo(status);
    assertThat(result.succeeded()).isEqualTo(status == 0);
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr()).isEmpty();
  }

  @Test
  void stdoutAndStderrAreKeptApart(SshMaster master) {
    ExecResult result = master.exec("echo to stdout; echo to stderr >&2; exit 3");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("to stdout\n");
    assertThat(result.stderr()).isEqualTo("to stderr\n");
  }

  @Test
  void interleavedStreamsArriveWholeAndInOrder(SshMaster master) {
    ExecResult result = master.exec("for i in $(seq 1 2000); do echo out$i; echo err$i >&2; done");

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout().lines()).containsExactlyElementsOf(numbered("out", 2000));
    assertThat(result.stderr().lines()).containsExactlyElementsOf(numbered("err", 2000));
  }

  @Test
  void unknownCommandIs127WithTheShellsMessage(SshMaster master) {
    ExecResult result = master.exec("no-such-command-muxtest");

    assertThat(result.exitCode()).isEqualTo(127);
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr()).contains("no-such-command-muxtest").contains("not found");
  }

  @Test
  void concurrentSessionsEachGetTheirOwnOutput(SshMaster master) throws Exception {
    int sessions = 8;
    ExecutorService threads = Executors.newFixedThreadPool(sessions);
    try {
      List<Future<ExecResult>> results = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        int n = i;
        // The sleep makes the sessions overlap on the one connection.
        results.add(
            threads.submit(() -> master.exec("sleep 1; echo session-" + n + "; exit " + n)));
      }
      for (int i = 0; i < sessions; i++) {
        ExecResult result = results.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(result.exitCode()).as("exit of session %d", i).isEqualTo(i);
        assertThat(result.stdout()).as("output of session %d", i).isEqualTo("session-" + i + "\n");
      }
    } finally {
      shutDown(threads);
    }
  }

  // --- environment -------------------------------------------------------------------------------

  @Test
  void environmentIsPassed(SshMaster master) {
    ExecResult result =
        master.exec("echo $MUXTEST_GREETING", Map.of("MUXTEST_GREETING", "hello world"));

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo("hello world\n");
  }

  @Test
  void environmentValuesArriveVerbatimOnlyWhereTheServerAcceptsThemAndOnlyForTheirSession(
      SshMaster master) {
    String special = "it's \"quoted\" $HOME `date` \\ end";
    ExecResult passed =
        master.exec(
            "printf '[%s][%s][%s]' \"$MUXTEST_SPECIAL\" \"$LC_MUXTEST\" \"${MUXTEST_EMPTY-unset}\"",
            Map.of("MUXTEST_SPECIAL", special, "LC_MUXTEST", "lc", "MUXTEST_EMPTY", ""));
    ExecResult later = master.exec("printf '[%s]' \"${MUXTEST_SPECIAL-unset}\"");

    assertThat(passed.exitCode()).isZero();
    assertThat(passed.stdout()).isEqualTo("[" + special + "][lc][]");
    // Names outside the allow list (LANG LC_* MUXTEST_*, as sshd's AcceptEnv) never leave the
    // client; with the allow list extended, the server still decides (EmbeddedSshServerTest).
    assertThatThrownBy(() -> master.exec("true", Map.of("NOT_ACCEPTED_MUXTEST", "sent")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'NOT_ACCEPTED_MUXTEST' is not allowed");
    assertThat(later.stdout()).as("a later session without environment").isEqualTo("[unset]");
  }

  // --- data transfer -----------------------------------------------------------------------------

  @Test
  void largeTransferThroughARunTimeForwardArrivesIntact(SshMaster master) throws Exception {
    poll(
        "socat listening on 127.0.0.1:" + BLOB_PORT,
        () -> master.exec("busybox netstat -ltn | grep -q ' 127.0.0.1:" + BLOB_PORT + " '"),
        r -> r.exitCode() == 0);
    String expected = master.exec("sha256sum " + BLOB).stdout().split(" ")[0];
    assertThat(expected).hasSize(64);

    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    long received = 0;
    try (Forward forward = master.forwardLocal("localhost", BLOB_PORT);
        Socket socket = new Socket()) {
      socket.connect(forward.localAddress(), 5_000);
      socket.setSoTimeout(
          10_000); // a stall or a lost end of stream fails the read instead of hanging
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) != -1; ) {
        sha256.update(buffer, 0, n);
        received += n;
      }
    }

    assertThat(received).isEqualTo(BLOB_SIZE);
    assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(expected);
  }

  // --- forwards ----------------------------------------------------------------------------------

  @Test
  void localForwardWorksUntilCancelled(SshMaster master) throws Exception {
    Forward forward = master.forwardLocal("localhost", sshPortOnServer());
    InetSocketAddress local = forward.localAddress();
    try {
      assertThat(forward.type()).isEqualTo(ForwardType.LOCAL);
      assertThat(forward.isOpen()).isTrue();
      assertThat(local.getAddress().isLoopbackAddress()).isTrue();
      assertThat(forward.remotePort()).isEqualTo(sshPortOnServer());
      assertThat(forward.destinationHost()).isEqualTo("localhost");
      assertThat(banner(local)).startsWith("SSH-2.0-");
    } finally {
      forward.close();
    }

    assertThat(forward.isOpen()).isFalse();
    assertThatThrownBy(() -> banner(local)).isInstanceOf(ConnectException.class);
    forward.close(); // idempotent
  }

  @Test
  void remoteForwardReportsBothEnds(SshMaster master) throws Exception {
    try (ServerSocket jvm = new ServerSocket()) {
      jvm.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int jvmPort = jvm.getLocalPort();

      try (Forward forward = master.forwardRemote(0, "127.0.0.1", jvmPort)) {
        assertThat(forward.type()).isEqualTo(ForwardType.REMOTE);
        assertThat(forward.isOpen()).isTrue();
        assertThat(forward.remotePort()).as("port allocated on the server").isPositive();
        assertThat(forward.localPort())
            .as("localPort(): the destination port in the test JVM")
            .isEqualTo(jvmPort);
        assertThat(forward.destinationPort()).as("destinationPort()").isEqualTo(jvmPort);
        assertThat(forward.destinationHost()).as("destinationHost()").isEqualTo("127.0.0.1");
        assertThat(forward.localAddress())
            .as("localAddress()")
            .isEqualTo(new InetSocketAddress("127.0.0.1", jvmPort));
      }
    }
  }

  @Test
  void remoteForwardWorksUntilCancelled(SshMaster master) throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (ServerSocket jvm = new ServerSocket()) {
      jvm.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      jvm.setSoTimeout((int) BOUND.toMillis());
      Future<String> heard = thread.submit(() -> answerOneLine(jvm));

      Forward forward = master.forwardRemote(0, "127.0.0.1", jvm.getLocalPort());
      int remotePort = forward.remotePort();
      try {
        assertThat(forward.isOpen()).isTrue();
        assertThat(remotePort).isPositive();

        ExecResult reply =
            master.exec(
                "timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/"
                    + remotePort
                    + " && echo ping >&3 && head -n 1 <&3'",
                BOUND);

        assertThat(reply.exitCode()).as("stderr: %s", reply.stderr()).isZero();
        assertThat(reply.stdout()).isEqualTo("pong ping\n");
        assertThat(heard.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ping");
      } finally {
        forward.close();
      }

      assertThat(forward.isOpen()).isFalse();
      // The server drops its listener when it handles the cancel request; that may trail close().
      ExecResult refused =
          poll(
              "server port " + remotePort + " refusing connections after the cancel",
              Duration.ofSeconds(10),
              () ->
                  master.exec(
                      "timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + remotePort + "'", BOUND),
              r -> r.exitCode() != 0);
      assertThat(refused.stderr()).contains("Connection refused");
      forward.close(); // idempotent
    } finally {
      shutDown(thread);
    }
  }

  // --- liveness ----------------------------------------------------------------------------------

  @Test
  void checkIsTrueOnAHealthyMaster(SshMaster master) {
    Engine declared = getClass().getAnnotation(SshMultiplexing.class).engine();

    assertThat(master.engine()).isEqualTo(declared);
    assertThat(master.check()).isTrue();
    assertThat(master.controlPath().isPresent()).isEqualTo(declared == Engine.OPENSSH);
  }

  /**
   * {@code -O stop}: running sessions finish, new ones are refused. It needs a master of its own,
   * so each engine's class declares a {@code @Nested} subclass of this with its own server.
   */
  abstract class StopWhileASessionRunsCases {

    @Test
    void runningSessionFinishesAndNewOnesAreRefused(SshMaster master) throws Exception {
      Engine enclosing =
          MultiplexingConformance.this.getClass().getAnnotation(SshMultiplexing.class).engine();
      assertThat(master.engine()).as("engine of the nested class").isEqualTo(enclosing);
      assertThat(OUTER_MASTERS).containsKey(enclosing);
      assertThat(master)
          .as("the nested class's own master")
          .isNotSameAs(OUTER_MASTERS.get(enclosing));

      ExecutorService thread = Executors.newSingleThreadExecutor();
      // A file of this session alone marks it running: a process name (pgrep) could be another
      // test's, and an embedded server's processes are the test machine's.
      String marker = "/tmp/muxtest-running-" + UUID.randomUUID();
      try {
        Future<ExecResult> running =
            thread.submit(
                () ->
                    master.exec(
                        "touch " + marker + "; sleep 5; rm -f " + marker + "; echo finished",
                        BOUND));
        poll(
            "the session running on the server",
            () -> {
              assertThat(running).as("the session ended before it was seen running").isNotDone();
              return master.exec("test -e " + marker);
            },
            r -> r.exitCode() == 0);

        master.stopAccepting();

        assertThat(running).as("the session still runs when stop returns").isNotDone();
        assertThatThrownBy(() -> master.exec("echo too late"))
            .isInstanceOf(SshOperationException.class)
            .hasMessageContaining("is stopped");
        assertThatThrownBy(() -> master.forwardLocal("localhost", SshdContainer.SSH_PORT))
            .isInstanceOf(SshOperationException.class)
            .hasMessageContaining("is stopped");
        // OpenSSH's master removes its control socket when it stops listening.
        master.controlPath().ifPresent(path -> assertThat(path).doesNotExist());

        ExecResult finished = running.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(finished.exitCode()).isZero();
        assertThat(finished.stdout()).isEqualTo("finished\n");
        assertThat(master.check()).isFalse();
        MuxAssertions.assertThat(master).hasOpenedTcpConnections(1);
        MuxAssertions.assertThat(master.connectionReport()).hasServerAuthenticatedConnections(1);
      } finally {
        shutDown(thread);
      }
    }
  }

  // --- helpers -----------------------------------------------------------------------------------

  private static List<String> numbered(String prefix, int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + i).collect(Collectors.toList());
  }

  /** Reads the SSH identification string through {@code address}, every step bounded. */
  static String banner(InetSocketAddress address) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(address, 5_000);
      socket.setSoTimeout(10_000);
      return new String(socket.getInputStream().readNBytes(8), StandardCharsets.US_ASCII);
    }
  }

  /**
   * Accepts one connection (bounded by the listener's timeout), reads a line, answers "pong
   * <line>".
   */
  private static String answerOneLine(ServerSocket listener) throws Exception {
    try (Socket socket = listener.accept()) {
      socket.setSoTimeout(10_000);
      String line =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      OutputStream out = socket.getOutputStream();
      out.write(("pong " + line + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.shutdownOutput();
      return line;
    }
  }

  /**
   * Polls {@code probe} until {@code done} holds, within {@link #BOUND}; fails with the last value.
   */
  static <T> T poll(String what, Supplier<T> probe, Predicate<T> done) {
    return poll(what, BOUND, probe, done);
  }

  /**
   * Polls {@code probe} until {@code done} holds, within {@code bound}; fails with the last value.
   */
  static <T> T poll(String what, Duration bound, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + bound.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() >= deadline) {
        throw new AssertionError("Not " + what + " within " + bound + "; last: " + last);
      }
      try {
        Thread.sleep(POLL_PAUSE.toMillis()); // pause between bounded polls of a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting for " + what, e);
      }
      last = probe.get();
    }
    return last;
  }

  static void shutDown(ExecutorService threads) throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS))
        .as("helper threads ended")
        .isTrue();
  }
}
