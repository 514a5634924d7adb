package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Poll;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * {@link UserMaster#ofControlSocket}: a master the user opened by hand, with the system's {@code
 * ssh -M -S <socket> -f -N -F <config> target} as a user would (the config names a key and a
 * known_hosts of the test's, as a user's {@code ~/.ssh} would), to an {@link SshdContainer} treated
 * as an outside host. The OpenSSH engine runs a class's sessions and forwards over it and leaves it
 * as it found it; the MINA engine refuses it; a dead socket is a clear error.
 */
class OwnMasterTest {

  static final SshdContainer outside = new SshdContainer();

  @TempDir static Path dir;
  static Path identity;
  static Path knownHosts;
  static Path userConfig;
  static Path socket;
  static int mastersStarted;

  /** What each fixture class saw: the injected tunnel port, ... */
  static final Map<Class<?>, Integer> ports = new ConcurrentHashMap<>();

  /** A connection through a tunnel, left open by the fixture until after its class. */
  static volatile Socket heldOpen;

  /** ... and the client side of its sessions ($SSH_CONNECTION). */
  static final Map<Class<?>, String> connections = new ConcurrentHashMap<>();

  @BeforeAll
  static void startTheServerAndTheUsersMaster() throws Exception {
    outside.start();
    KeyPair key = KeyMaterial.generate();
    outside.authorizeKey(key.getPublic());
    identity = dir.resolve("id_ecdsa");
    Files.write(identity, KeyMaterial.openSshPrivateKey(key, "own master test key"));
    Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
    knownHosts =
        Files.writeString(
            dir.resolve("known_hosts"),
            "["
                + outside.host()
                + "]:"
                + outside.port()
                + " "
                + KeyMaterial.publicKeyLine(outside.hostKey())
                + "\n");
    userConfig =
        Files.writeString(
            dir.resolve("config"),
            String.join(
                "\n",
                "Host target",
                "  HostName " + outside.host(),
                "  Port " + outside.port(),
                "  User " + outside.user(),
                "  IdentityFile \"" + identity + "\"",
                "  IdentitiesOnly yes",
                "  IdentityAgent none",
                "  UserKnownHostsFile \"" + knownHosts + "\"",
                "  GlobalKnownHostsFile /dev/null",
                "  StrictHostKeyChecking yes",
                "  BatchMode yes",
                "  ConnectTimeout 30",
                ""));
    socket = dir.resolve("ctl");
    startUsersMaster();
  }

  /** {@code ssh -M -S ctl -f -N}: backgrounds itself once authenticated, as a user runs it. */
  static void startUsersMaster() throws Exception {
    Result started = ssh(Duration.ofSeconds(60), "-M", "-S", socket.toString(), "-f", "-N");
    assertThat(started.exit()).as("ssh -M -f: %s", started.output()).isZero();
    mastersStarted++;
  }

  @AfterAll
  static void endTheUsersMasterAndTheServer() throws Exception {
    try {
      ssh(Duration.ofSeconds(30), "-S", socket.toString(), "-O", "exit");
    } finally {
      outside.stop();
    }
  }

  @Test
  void openSshRunsSessionsAndForwardsOverTheUsersMasterAndLeavesItAsItWas() throws Exception {
    ports.clear();
    connections.clear();
    long pid = usersMasterPid();
    int logins = acceptedLogins();
    int tcp = tcpConnectionsOf(pid);
    assertThat(tcp).as("the user's master's TCP connections").isEqualTo(1);
    OnOwnMasterCase.server = UserMaster.ofControlSocket(socket).withLoginLog(outside::getLogs);

    EngineExecutionResults results;
    try {
      results = run(Engine.OPENSSH, OnOwnMasterCase.class);
    } finally {
      if (heldOpen != null) {
        heldOpen.close();
      }
    }

    assertThat(failures(results)).isEmpty();
    results.testEvents().assertStatistics(stats -> stats.succeeded(1));
    assertThat(connections.get(OnOwnMasterCase.class))
        .as("$SSH_CONNECTION of a session: the user's master's connection")
        .isEqualTo(sshConnectionOverUsersMaster());
    assertThat(reportEntries(results))
        .singleElement()
        .asString()
        .startsWith("all sessions rode the user's own master on " + socket + " (pid " + pid + ",")
        .contains("its TCP connections held throughout: [127.0.0.1:")
        .contains("no new login in the server's log");
    // Left as it was: the same master, its one connection, no new login on the server.
    assertThat(usersMasterPid()).as("the user's master after the class").isEqualTo(pid);
    assertThat(tcpConnectionsOf(pid)).isEqualTo(tcp);
    assertThat(acceptedLogins()).as("Accepted publickey lines in sshd's log").isEqualTo(logins);
    // The class's forwards were cancelled (-O cancel); the master itself took no -O stop.
    assertThat(refuses(ports.get(OnOwnMasterCase.class))).as("the tunnel's port after").isTrue();
  }

  @Test
  void minaRefusesTheUsersMasterNamingTheSocketAndTheEngineToUse() throws Exception {
    long pid = usersMasterPid();
    OnOwnMasterCase.server = UserMaster.ofControlSocket(socket);

    List<Throwable> failures = failures(run(Engine.MINA, OnOwnMasterCase.class));

    assertThat(failures)
        .singleElement(InstanceOfAssertFactories.THROWABLE)
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("The MINA engine cannot use the user's own master on " + socket)
        .hasMessageContaining("use Engine.OPENSSH");
    assertThat(usersMasterPid()).isEqualTo(pid);
  }

  @Test
  void aSocketNoMasterAnswersOnIsAClearErrorNotAHang() throws Exception {
    Path dead = dir.resolve("dead");
    try (var channel =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      channel.bind(java.net.UnixDomainSocketAddress.of(dead));
    } // closed: the socket file stays, nobody listens, as after a master killed with -9
    OnOwnMasterCase.server = UserMaster.ofControlSocket(dead);
    long start = System.nanoTime();

    List<Throwable> failures = failures(run(Engine.OPENSSH, OnOwnMasterCase.class));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    assertThat(failures)
        .singleElement(InstanceOfAssertFactories.THROWABLE)
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("Cannot use the user's own master on " + dead)
        .hasMessageContaining("no master answers on it")
        .hasMessageContaining("ssh -M -S " + dead);
  }

  @Test
  void aMasterReplacedDuringTheClassFailsItsProof() throws Exception {
    long pid = usersMasterPid();
    ReplacedCase.server = UserMaster.ofControlSocket(socket).withLoginLog(outside::getLogs);

    List<Throwable> failures = failures(run(Engine.OPENSSH, ReplacedCase.class));

    long replacement = usersMasterPid();
    assertThat(replacement).isNotEqualTo(pid);
    assertThat(failures)
        .singleElement(InstanceOfAssertFactories.THROWABLE)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected all sessions to ride the user's own master, but")
        .hasMessageContaining(
            "another master answers on " + socket + ": pid " + replacement + " instead of " + pid)
        .hasMessageContaining("new login(s) in the server's log");
  }

  @Test
  void aForwardLeftOpenIsCancelledWhenTheMasterClosesAndTheUsersMasterStaysUp() throws Exception {
    long pid = usersMasterPid();
    int port;
    try (CloseableSshMaster master =
        SshMasters.connect(
            UserMaster.ofControlSocket(socket), MasterOptions.engine(Engine.OPENSSH))) {
      Forward left = master.forwardLocal("localhost", 22); // not closed by the test
      port = left.localPort();
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
      assertThat(master.controlPath()).contains(socket);
      master.stopAccepting(); // refuses new sessions itself; the user's master takes no -O stop
      assertThat(master.check()).isFalse();
    }
    assertThat(refuses(port)).as("the forward's port once the master closed").isTrue();
    assertThat(usersMasterPid()).isEqualTo(pid);
    assertThat(sshConnectionOverUsersMaster()).as("the user's master takes sessions").isNotBlank();
  }

  @Test
  void aJvmEndingWithoutClosingItsMasterCancelsItsForwardsOnTheUsersMaster() throws Exception {
    long pid = usersMasterPid();
    Path stdout = dir.resolve("child-stdout");
    Path stderr = dir.resolve("child-stderr");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                ExitingChild.class.getName(),
                socket.toString())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    if (!child.waitFor(120, TimeUnit.SECONDS)) {
      child.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(stdout);
    assertThat(child.exitValue()).as("child: %s %s", lines, Files.readString(stderr)).isZero();
    assertThat(lines).as("the child's forward worked").contains("BANNER SSH-2.0-");
    int port =
        lines.stream()
            .filter(l -> l.startsWith("PORT "))
            .map(l -> Integer.parseInt(l.substring(5)))
            .findFirst()
            .orElseThrow();

    assertThat(refuses(port)).as("the child's forward after it exited").isTrue();
    assertThat(usersMasterPid()).isEqualTo(pid);
  }

  @ParameterizedTest
  @ValueSource(strings = {"OWN_MASTER", "MINA", "OPENSSH"})
  void suiteScopeTunnelsOnAnSshHostKeepTheirPortForALaterClass(String kind) throws Exception {
    ports.clear();
    long pid = usersMasterPid();
    boolean own = kind.equals("OWN_MASTER");
    SshTarget host =
        own
            ? UserMaster.ofControlSocket(socket).withLoginLog(outside::getLogs)
            : SshHost.of(outside.host(), outside.port(), outside.user(), identity, knownHosts)
                .withLoginLog(outside::getLogs);
    SuiteFirstCase.server = host;
    SuiteSecondCase.server = host;

    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", own ? "OPENSSH" : kind)
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
            .configurationParameter(
                "junit.jupiter.testclass.order.default",
                "org.junit.jupiter.api.ClassOrderer$OrderAnnotation")
            .selectors(selectClass(SuiteSecondCase.class), selectClass(SuiteFirstCase.class))
            .execute();

    assertThat(failures(results)).isEmpty();
    results.testEvents().assertStatistics(stats -> stats.succeeded(2));
    assertThat(ports.get(SuiteSecondCase.class))
        .as("the later class's port")
        .isEqualTo(ports.get(SuiteFirstCase.class));
    assertThat(reportEntries(results))
        .hasSize(2)
        .allSatisfy(
            entry ->
                assertThat(entry)
                    .startsWith(
                        own
                            ? "all sessions rode the user's own master"
                            : "client TCP connections: 1, server authenticated connections: 1,"));
    assertThat(refuses(ports.get(SuiteFirstCase.class))).as("cancelled with the run").isTrue();
    assertThat(usersMasterPid()).isEqualTo(pid);
  }

  // Helpers: the test's own view, through the system's ssh and ss, not muxtest's code.

  record Result(int exit, String output) {}

  /** {@code ssh -F <user config> <args> target}, within {@code bound}. */
  static Result ssh(Duration bound, String... args) throws Exception {
    return sshRemote(bound, List.of(args), List.of());
  }

  /** {@code ssh -F <user config> <options> -- target <remote>}, within {@code bound}. */
  static Result sshRemote(Duration bound, List<String> options, List<String> remote)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("ssh", "-F", userConfig.toString()));
    command.addAll(options);
    command.add("--");
    command.add("target");
    command.addAll(remote);
    File out = Files.createTempFile(dir, "ssh", ".txt").toFile();
    // To a file: a master going to the background (-f) keeps its output open.
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(out)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    if (!process.waitFor(bound.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not finish within " + bound + ": " + command);
    }
    return new Result(process.exitValue(), Files.readString(out.toPath()));
  }

  /** The pid {@code ssh -O check} names: the user's master answers. */
  static long usersMasterPid() throws Exception {
    Result check = ssh(Duration.ofSeconds(30), "-S", socket.toString(), "-O", "check");
    Matcher m = Pattern.compile("Master running \\(pid=(\\d+)\\)").matcher(check.output());
    assertThat(check.exit()).as("ssh -O check: %s", check.output()).isZero();
    assertThat(m.find()).as("ssh -O check: %s", check.output()).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** The client port of a session over the user's master, as the server sees it. */
  static String sshConnectionOverUsersMaster() throws Exception {
    Result result =
        sshRemote(
            Duration.ofSeconds(30),
            List.of(
                "-S",
                socket.toString(),
                "-o",
                "ControlMaster=no",
                "-o",
                "ProxyCommand=false",
                "-T"),
            List.of("echo $SSH_CONNECTION"));
    assertThat(result.exit()).as("a session over the user's master: %s", result.output()).isZero();
    return result.output();
  }

  /** Established TCP connections of {@code pid}, by {@code ss -tnp}. */
  static int tcpConnectionsOf(long pid) throws Exception {
    Process ss = new ProcessBuilder("ss", "-Htnp", "state", "established").start();
    String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ss.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return (int) out.lines().filter(line -> line.contains("pid=" + pid + ",")).count();
  }

  /** sshd's {@code Accepted publickey} lines, once every master started so far is among them. */
  static int acceptedLogins() {
    int[] count = new int[1];
    Poll.until(
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        () -> {
          count[0] =
              (int) outside.getLogs().lines().filter(l -> l.contains("Accepted publickey")).count();
          return count[0] >= mastersStarted;
        });
    return count[0];
  }

  static boolean refuses(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      return false;
    } catch (ConnectException refused) {
      return true;
    } catch (IOException other) {
      return false;
    }
  }

  static String banner(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      s.setSoTimeout(10_000);
      return new String(s.getInputStream().readNBytes(8), StandardCharsets.US_ASCII);
    }
  }

  static EngineExecutionResults run(Engine engine, Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("muxtest.engine", engine.name())
        .selectors(selectClass(fixture))
        .execute();
  }

  static List<Throwable> failures(EngineExecutionResults results) {
    return results.allEvents().failed().stream()
        .flatMap(
            e ->
                e
                    .getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .stream())
        .toList();
  }

  static List<String> reportEntries(EngineExecutionResults results) {
    return results
        .allEvents()
        .reportingEntryPublished()
        .map(
            e ->
                e.getRequiredPayload(ReportEntry.class)
                    .getKeyValuePairs()
                    .get("muxtest.connections"))
        .filter(Objects::nonNull)
        .toList();
  }

  // Fixtures: run only through the engine test kit (Surefire skips nested classes).

  @SshMultiplexing
  @SshTunnel(name = "ssh", port = 22)
  static class OnOwnMasterCase {
    @SshServer static UserMaster server;

    @Test
    void execAndForward(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      ports.put(OnOwnMasterCase.class, port);
      ExecResult result = master.exec("echo $SSH_CONNECTION");
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      connections.put(OnOwnMasterCase.class, result.stdout());
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
      // Open while the proof is made: a forwarded connection is no connection of the master's own.
      heldOpen = new Socket("127.0.0.1", port);
      heldOpen.setSoTimeout(10_000);
      assertThat(heldOpen.getInputStream().readNBytes(8)).asString().isEqualTo("SSH-2.0-");
      try (Forward runtime = master.forwardLocal("localhost", 22)) {
        assertThat(banner(runtime.localPort())).isEqualTo("SSH-2.0-");
      }
      assertThat(master.connectionReport().clientTcpConnections())
          .as("connections muxtest opened")
          .isZero();
    }
  }

  @SshMultiplexing
  static class ReplacedCase {
    @SshServer static UserMaster server;

    /** The user's master is replaced meanwhile: later sessions would ride another connection. */
    @Test
    void theMasterIsReplaced(SshMaster master) throws Exception {
      assertThat(master.exec("true").exitCode()).isZero();
      assertThat(ssh(Duration.ofSeconds(30), "-S", socket.toString(), "-O", "exit").exit())
          .isZero();
      Poll.until(Duration.ofSeconds(30), Duration.ofMillis(50), () -> !Files.exists(socket));
      assertThatThrownBy(() -> master.exec("true"))
          .isInstanceOf(SshOperationException.class)
          .hasMessage(
              "the user's own master on "
                  + socket
                  + " no longer answers: muxtest never opens a master of its own for it; open it"
                  + " again (ssh -M -S "
                  + socket
                  + " -f -N user@host)");
      startUsersMaster();
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  @SshTunnel(name = "ssh", port = 22)
  @Order(1)
  static class SuiteFirstCase {
    @SshServer static SshTarget server;

    @Test
    void first(@ForwardedPort("ssh") int port) throws Exception {
      ports.put(SuiteFirstCase.class, port);
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
    }
  }

  @SshMultiplexing(scope = Scope.SUITE)
  @SshTunnel(name = "ssh", port = 22)
  @Order(2)
  static class SuiteSecondCase {
    @SshServer static SshTarget server;

    @Test
    void second(@ForwardedPort("ssh") int port) throws Exception {
      ports.put(SuiteSecondCase.class, port);
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
    }
  }

  /**
   * Another JVM: adds a forward to the user's master on the socket given, then ends with
   * System.exit without closing anything, as a test JVM may.
   */
  static final class ExitingChild {
    public static void main(String[] args) throws Exception {
      SshMaster master =
          SshMasters.connect(
              UserMaster.ofControlSocket(Path.of(args[0])), MasterOptions.engine(Engine.OPENSSH));
      Forward forward = master.forwardLocal("localhost", 22);
      System.out.println("PORT " + forward.localPort());
      System.out.println("BANNER " + banner(forward.localPort()));
      System.out.flush();
      System.exit(0);
    }
  }
}
