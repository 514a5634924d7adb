package dev.muxtest.internal.openssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.ControlMaster;
import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.HostKeyPolicy;
import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Poll;
import dev.muxtest.internal.engine.Processes;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import dev.muxtest.internal.engine.TunnelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input and bad luck on the OpenSSH engine (and, where both engines must agree, on MINA too):
 * commands that look like ssh options, tunnel hosts that are no plain names, IPv6 loopback
 * destinations, output without end, and interrupted commands and closes.
 */
class OpenSshHardeningTest {

  /** A service listening on the container's IPv6 loopback only. */
  private static final int V6_PORT = 7000;

  static final SshdContainer server =
      new SshdContainer()
          // Docker turns IPv6 off in containers of a network without it; the loopback needs it.
          .withCreateContainerCmdModifier(
              cmd ->
                  cmd.getHostConfig()
                      .withSysctls(
                          Map.of(
                              "net.ipv6.conf.all.disable_ipv6", "0",
                              "net.ipv6.conf.lo.disable_ipv6", "0")))
          .withBackgroundCommand(
              "socat TCP6-LISTEN:" + V6_PORT + ",bind=[::1],fork,reuseaddr SYSTEM:'echo v6'");

  @TempDir Path local;

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  // --- A command is never an ssh option (finding 1) ---

  @ParameterizedTest
  @EnumSource(
      value = ControlMaster.class,
      names = {"AUTO", "NO"})
  void aCommandThatLooksLikeAnSshOptionRunsOnTheServer(ControlMaster mode) {
    Path marker = local.resolve("marker");
    Path log = local.resolve("ssh.log");
    List<String> commands =
        List.of("-oProxyCommand=touch " + marker, "-E" + log, "-v", "-oControlPath=none true");
    try (EngineMaster openSsh = connect(Engine.OPENSSH, mode, Map.of());
        EngineMaster mina = connect(Engine.MINA, ControlMaster.AUTO, Map.of())) {
      for (String command : commands) {
        ExecResult result = openSsh.exec(command);

        // The server's shell got it, as it does from MINA, which sends a command as it is: its own
        // options are what it makes of a leading "-" (bash: "invalid option", exit 2).
        ExecResult server = mina.exec(command);
        assertThat(server.exitCode()).as("%s: %s", command, server).isNotZero();
        assertThat(result).as(command).isEqualTo(server);
      }
    }
    // Nothing ran on the test machine, and ssh wrote no log there.
    assertThat(marker).doesNotExist();
    assertThat(log).doesNotExist();
  }

  // --- A LOCAL tunnel's destination is probed whatever its host (finding 15) ---

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aTunnelToAHostThatIsNoPlainNameIsProbedAndReportedNotReachable(Engine engine) {
    String pwned = "/tmp/pwned-" + UUID.randomUUID();
    try (EngineMaster master = connect(engine, ControlMaster.AUTO, Map.of())) {
      for (String host : List.of("db internal", "x'$(touch " + pwned + ")'y", "a;touch " + pwned)) {
        assertThatThrownBy(
                () -> master.open(new TunnelSpec("x", host, 5432), Duration.ofSeconds(3)))
            .isInstanceOf(SshOperationException.class)
            .hasMessageContaining("Destination " + host + ":5432 did not accept a connection");
        assertThat(master.openForwards()).as("closed by the failed open").isEmpty();
      }
      // The hosts were data to the server's shell, never code.
      assertThat(master.exec("test -e " + pwned).exitCode()).isEqualTo(1);
    }
  }

  // --- IPv6 literals in forward specs (finding 8) ---

  @Test
  void ipv6LiteralsAreBracketedInForwardSpecs() {
    assertThat(new ForwardRequest(ForwardType.LOCAL, 1234, "::1", 80).spec())
        .isEqualTo("127.0.0.1:1234:[::1]:80");
    assertThat(new ForwardRequest(ForwardType.REMOTE, 0, "::1", 80).spec()).isEqualTo("0:[::1]:80");
    assertThat(new ForwardRequest(ForwardType.LOCAL, 1234, "localhost", 80).spec())
        .isEqualTo("127.0.0.1:1234:localhost:80");
    assertThat(new ForwardRequest(ForwardType.REMOTE, 5, "127.0.0.1", 80).spec())
        .isEqualTo("5:127.0.0.1:80");
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void forwardsReachTheIpv6Loopback(Engine engine) throws Exception {
    try (EngineMaster master = connect(engine, ControlMaster.AUTO, Map.of());
        ServerSocket v6 = new ServerSocket()) {
      // LOCAL, as declared (probed from the server first) and at runtime.
      Forward tunnel = master.open(new TunnelSpec("v6", "::1", V6_PORT), Duration.ofSeconds(20));
      assertThat(firstLine(tunnel.localAddress())).isEqualTo("v6");
      Forward runtime = master.forwardLocal("::1", V6_PORT);
      assertThat(firstLine(runtime.localAddress())).isEqualTo("v6");

      // REMOTE, to a listener on the test machine's IPv6 loopback.
      v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
      Thread answer =
          new Thread(
              () -> {
                try (Socket client = v6.accept()) {
                  client.getOutputStream().write("hello v6\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                  // the assertion below reports it
                }
              },
              "v6-answer");
      answer.start();
      Forward remote = master.forwardRemote(0, "::1", v6.getLocalPort());
      ExecResult read =
          master.exec(
              "exec 3<>/dev/tcp/127.0.0.1/" + remote.remotePort() + "; timeout 10 head -n 1 <&3");
      assertThat(read.stdout()).as("%s", read).isEqualTo("hello v6\n");
      answer.join(10_000);
    }
  }

  // --- Paths OpenSSH takes as they are (finding 11) ---

  @Test
  void aControlDirectoryWithASpaceAndASingleQuoteWorks(@TempDir Path parent) {
    Path base = parent.resolve("a b'c");
    try (EngineMaster master =
        connect(
            Engine.OPENSSH,
            ControlMaster.AUTO,
            Map.of(Settings.CONTROL_DIRECTORY.name(), base.toString()))) {
      Path controlPath = master.controlPath().orElseThrow();
      assertThat(controlPath.getParent().getParent()).isEqualTo(base);
      assertThat(master.exec("echo ok").stdout()).isEqualTo("ok\n");
      assertThat(masterProcess(controlPath)).isPresent();
    }
  }

  // --- Output is bounded (finding 4) ---

  @Test
  void outputBeyondTheLimitEndsTheCommandAndTheMasterGoesOn() {
    long allocatedBefore = allocatedByThisThread();
    try (EngineMaster master =
        connect(
            Engine.OPENSSH, ControlMaster.AUTO, Map.of(Settings.EXEC_MAX_OUTPUT.name(), "1m"))) {
      Path directory = master.controlPath().orElseThrow().getParent();

      for (String command :
          List.of("head -c 200000000 /dev/zero", "head -c 200000000 /dev/zero >&2")) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> master.exec(command))
            .isInstanceOf(SshOperationException.class)
            .hasMessageContaining("more than 1048576 bytes to")
            .hasMessageContaining(command.endsWith(">&2") ? "stderr" : "stdout")
            .hasMessageContaining(Settings.EXEC_MAX_OUTPUT.name())
            .hasMessageContaining(command);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        // The output files went with the command.
        assertThat(filesIn(directory))
            .allSatisfy(
                file -> assertThat(Files.size(file)).as("size of %s", file).isLessThan(64 * 1024));
        assertThat(master.exec("echo next").stdout()).isEqualTo("next\n");
      }
      // Exactly the limit is allowed.
      assertThat(master.exec("head -c 1048576 /dev/zero").stdout()).hasSize(1048576);
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
    // 400 MB of output never went into this JVM's heap (a whole file read would have taken more).
    assertThat(allocatedByThisThread() - allocatedBefore).isLessThan(100L * 1024 * 1024);
  }

  // --- Interrupts (finding 13) ---

  @Test
  void anInterruptedCommandEndsItsSshProcessAndFreesItsSession() throws Exception {
    int budget = 3;
    try (EngineMaster master =
        connect(
            Engine.OPENSSH,
            ControlMaster.AUTO,
            Map.of(Settings.SESSION_BUDGET.name(), Integer.toString(budget)))) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean flagSet = new AtomicBoolean();
      Thread runner =
          new Thread(
              () -> {
                try {
                  master.exec("sleep 30");
                } catch (RuntimeException e) {
                  thrown.set(e);
                  flagSet.set(Thread.currentThread().isInterrupted());
                }
              },
              "interrupted-exec");
      runner.start();
      assertThat(
              Poll.until(
                  Duration.ofSeconds(10),
                  Duration.ofMillis(20),
                  () -> sshChildrenWith("sleep 30").findAny().isPresent()))
          .as("the ssh client of the command started")
          .isTrue();

      runner.interrupt();
      runner.join(10_000);

      assertThat(runner.isAlive()).as("exec returned within 10 s of the interrupt").isFalse();
      assertThat(thrown.get())
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("Interrupted");
      assertThat(flagSet.get()).as("the thread's interrupt flag is set again").isTrue();
      assertThat(sshChildrenWith("sleep 30").toList()).as("ssh clients of the command").isEmpty();

      // All the budget's sessions at once: each command waits until all of them run.
      String barrier = "/tmp/barrier-" + UUID.randomUUID();
      ExecutorService pool = Executors.newFixedThreadPool(budget);
      try {
        List<Future<ExecResult>> results = new ArrayList<>();
        for (int i = 0; i < budget; i++) {
          String command =
              String.format(
                  "mkdir -p %1$s && touch %1$s/%2$d && for n in $(seq 100); do "
                      + "[ $(ls %1$s | wc -l) -ge %3$d ] && exit 0; sleep 0.1; done; exit 1",
                  barrier, i, budget);
          results.add(pool.submit(() -> master.exec(command, Duration.ofSeconds(20))));
        }
        for (Future<ExecResult> result : results) {
          assertThat(result.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @Test
  void closeOnAnInterruptedThreadStillEndsTheMaster() {
    EngineMaster master = connect(Engine.OPENSSH, ControlMaster.AUTO, Map.of());
    Path controlPath = master.controlPath().orElseThrow();
    ProcessHandle process = masterProcess(controlPath).orElseThrow();

    Thread.currentThread().interrupt();
    boolean flagKept;
    try {
      master.close();
    } finally {
      flagKept = Thread.interrupted(); // and cleared for the rest of the test
    }

    assertThat(flagKept).as("the interrupt flag is set again").isTrue();
    assertThat(
            Poll.until(
                Duration.ofSeconds(10), Duration.ofMillis(20), () -> !Processes.running(process)))
        .as("master process %d ended", process.pid())
        .isTrue();
    assertThat(controlPath.getParent()).doesNotExist();
  }

  @Test
  void anInterruptedMasterStartLeavesNoSshProcessAndNoDirectory(@TempDir Path base)
      throws Exception {
    ServerSocket silent = new ServerSocket();
    List<Socket> held = new CopyOnWriteArrayList<>();
    Thread acceptor = null;
    try {
      // Accepts, then never says a word: ssh waits for the server's banner.
      silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              },
              "silent-server");
      acceptor.start();
      Settings settings =
          Settings.from(
              key ->
                  Optional.ofNullable(
                      Map.of(
                              Settings.CONNECT_TIMEOUT.name(),
                              "60s",
                              Settings.CONTROL_DIRECTORY.name(),
                              base.toString())
                          .get(key)));
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean flagSet = new AtomicBoolean();
      Thread starter =
          new Thread(
              () -> {
                try {
                  Masters.connect(
                          new SilentServer(silent.getLocalPort()),
                          MasterOptions.defaults().withEngine(Engine.OPENSSH),
                          settings)
                      .close();
                } catch (RuntimeException e) {
                  thrown.set(e);
                  flagSet.set(Thread.currentThread().isInterrupted());
                }
              },
              "interrupted-start");
      starter.start();
      assertThat(
              Poll.until(
                  Duration.ofSeconds(10),
                  Duration.ofMillis(20),
                  () -> sshChildrenMentioning(base.toString()).findAny().isPresent()))
          .as("the master's ssh started")
          .isTrue();

      starter.interrupt();
      starter.join(10_000);

      assertThat(starter.isAlive()).as("the start returned within 10 s of the interrupt").isFalse();
      assertThat(thrown.get())
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("Interrupted");
      assertThat(flagSet.get()).as("the thread's interrupt flag is set again").isTrue();
      assertThat(sshChildrenMentioning(base.toString()).toList()).as("ssh processes").isEmpty();
      try (Stream<Path> left = Files.list(base)) {
        assertThat(left.toList()).as("control directories left").isEmpty();
      }
    } finally {
      silent.close();
      if (acceptor != null) {
        acceptor.join(10_000);
      }
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  // --- helpers ---

  private static EngineMaster connect(
      Engine engine, ControlMaster mode, Map<String, String> configuration) {
    Settings settings =
        Settings.from(
            key ->
                Optional.ofNullable(configuration.get(key))
                    .or(
                        () ->
                            Optional.ofNullable(
                                Map.of(Settings.CONNECT_TIMEOUT.name(), "20s").get(key))));
    return Masters.connect(
        new ContainerEndpoint(server),
        MasterOptions.defaults().withEngine(engine).withControlMaster(mode),
        settings);
  }

  /** The master on {@code controlPath}, as it reports its pid to {@code -O check}. */
  static Optional<ProcessHandle> masterProcess(Path controlPath) {
    return MasterProcess.masterOf(
        SshCommand.run(
            List.of(
                "ssh",
                "-F",
                "/dev/null",
                "-o",
                "ControlPath=\"" + controlPath + "\"",
                "-O",
                "check",
                "--",
                OpenSshConfig.HOST_ALIAS),
            Map.of(),
            controlPath.getParent(),
            Duration.ofSeconds(10),
            64 * 1024));
  }

  /** ssh processes of this JVM with {@code argument} among their arguments. */
  static Stream<ProcessHandle> sshChildrenWith(String argument) {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(
            p -> p.info().arguments().map(args -> List.of(args).contains(argument)).orElse(false));
  }

  /** ssh processes of this JVM with an argument that contains {@code fragment}. */
  static Stream<ProcessHandle> sshChildrenMentioning(String fragment) {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(args -> Stream.of(args).anyMatch(arg -> arg.contains(fragment)))
                    .orElse(false));
  }

  /** A server that accepts TCP connections and never answers. */
  private record SilentServer(int port) implements ServerEndpoint {

    private static final PublicKey SOME_KEY = KeyMaterial.generate().getPublic();

    @Override
    public String host() {
      return "127.0.0.1";
    }

    @Override
    public String user() {
      return SshdContainer.USER;
    }

    @Override
    public HostKeyPolicy hostKeyPolicy() {
      return new HostKeyPolicy.Pinned(SOME_KEY);
    }

    @Override
    public void beforeConnect(PublicKey clientKey) {}

    @Override
    public List<String> acceptedLogins(PublicKey clientKey) {
      return List.of();
    }
  }

  private static long allocatedByThisThread() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  private static List<Path> filesIn(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new AssertionError("Cannot list " + directory, e);
    }
  }

  private static String firstLine(InetSocketAddress address) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(address, 10_000);
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
        line.append((char) c);
      }
      return line.toString();
    }
  }
}
