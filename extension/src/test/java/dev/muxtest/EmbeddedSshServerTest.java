package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.assertj.MuxAssertions;
import dev.muxtest.internal.engine.EmbeddedEndpoint;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EmbeddedSshServer} on its own: both engines log in with the pinned host key and a key of
 * their own, run commands on the test machine as its user, forward both ways, and are proven by the
 * server's own record; it listens on loopback only, refuses other keys, users and passwords, remote
 * forwards off loopback and environment variables sshd's AcceptEnv would refuse; it serves SFTP;
 * stopping it kills what still runs.
 */
class EmbeddedSshServerTest {

  static final Duration BOUND = Duration.ofSeconds(30);

  static final EmbeddedSshServer server = new EmbeddedSshServer();

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void commandsRunOnTheTestMachineAsItsUserAndTheServerRecordsTheOneLogin(
      Engine engine, @TempDir Path dir) throws Exception {
    Path written = dir.resolve("from-the-test");
    Files.writeString(written, "seen by the server\n");

    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      ExecResult who = master.exec("id -un; echo \"$USER\"; pwd; cat '" + written + "'");

      assertThat(who.exitCode()).as("stderr: %s", who.stderr()).isZero();
      assertThat(who.stdout())
          .isEqualTo(
              System.getProperty("user.name")
                  + "\n"
                  + server.user()
                  + "\n"
                  + Path.of("").toAbsolutePath()
                  + "\nseen by the server\n");

      Set<String> clientPorts = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        String[] fields = master.exec("echo $SSH_CONNECTION").stdout().strip().split(" ");
        assertThat(fields).hasSize(4);
        assertThat(fields[0]).isEqualTo("127.0.0.1");
        assertThat(fields[3]).isEqualTo(String.valueOf(server.port()));
        clientPorts.add(fields[1]);
      }
      assertThat(clientPorts).as("client ports of the sessions: one TCP connection").hasSize(1);

      ConnectionReport report = master.connectionReport();
      assertThat(report.singleConnection()).as("report %s", report).isTrue();
      assertThat(report.serverEvidence())
          .singleElement()
          .isEqualTo(
              "Accepted publickey for "
                  + server.user()
                  + " from 127.0.0.1 port "
                  + clientPorts.iterator().next()
                  + " ssh2: ECDSA "
                  + report.keyFingerprint());
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aLocalForwardReachesTheTestMachineAndARemoteOneListensOnItsLoopback(Engine engine)
      throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (ServerSocket jvm = new ServerSocket();
        CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      jvm.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      jvm.setSoTimeout((int) BOUND.toMillis());

      // The server's localhost is the test machine: its own SSH port answers there.
      try (Forward local = master.forwardLocal("localhost", server.port())) {
        assertThat(MultiplexingConformance.banner(local.localAddress())).isEqualTo("SSH-2.0-");
      }

      Future<String> heard = thread.submit(() -> answerOneLine(jvm));
      try (Forward remote = master.forwardRemote(0, "127.0.0.1", jvm.getLocalPort())) {
        ExecResult reply =
            master.exec(
                "timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/"
                    + remote.remotePort()
                    + " && echo ping >&3 && head -n 1 <&3'",
                BOUND);

        assertThat(reply.exitCode()).as("stderr: %s", reply.stderr()).isZero();
        assertThat(reply.stdout()).isEqualTo("pong ping\n");
        assertThat(heard.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ping");
      }
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    } finally {
      MultiplexingConformance.shutDown(thread);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void onlyTheEnvironmentVariablesSshdWouldAcceptReachTheCommand(Engine engine) {
    // NOT_ACCEPTED_MUXTEST is allowed on the client, so that the server's refusal shows.
    try (EngineMaster master =
        Masters.connect(
            new EmbeddedEndpoint(server),
            MasterOptions.engine(engine),
            Settings.from(
                key ->
                    key.equals("muxtest.exec.environment.allow")
                        ? Optional.of("NOT_ACCEPTED_MUXTEST")
                        : Optional.empty()))) {
      ExecResult result =
          master.exec(
              "printf '[%s][%s][%s]' \"$MUXTEST_A\" \"$LC_MUXTEST\""
                  + " \"${NOT_ACCEPTED_MUXTEST-unset}\"",
              Map.of("MUXTEST_A", "a b", "LC_MUXTEST", "lc", "NOT_ACCEPTED_MUXTEST", "sent"));

      assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
      assertThat(result.stdout()).isEqualTo("[a b][lc][unset]");
      // A loader variable never leaves the client: the local ssh would read it
      // (LocalEnvironmentTest).
      assertThatThrownBy(
              () ->
                  master.exec(
                      "true", Map.of("MUXTEST_A", "a", "LD_PRELOAD", "/nonexistent/muxtest.so")))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'LD_PRELOAD' is never sent");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void stopKillsWhatStillRunsFreesThePortAndTheServerStartsAgain(Engine engine) throws Exception {
    EmbeddedSshServer own = new EmbeddedSshServer();
    own.start();
    int firstPort = own.port();
    Path pidFile = Files.createTempFile("muxtest-embedded", ".pid");
    try {
      CloseableSshMaster master = SshMasters.connect(own, MasterOptions.engine(engine));
      CompletableFuture<ExecResult> running =
          CompletableFuture.supplyAsync(
              () -> master.exec("sleep 60 & echo $! > '" + pidFile + "'; wait", BOUND));
      long sleeper =
          MultiplexingConformance.poll(
                  "the command's child process started",
                  () -> pidOf(pidFile),
                  pid -> pid.isPresent())
              .orElseThrow();

      own.stop();

      assertThat(own.isRunning()).isFalse();
      // The command ends with its connection, without its exit status: an error, or no success.
      ExecResult cut =
          running.handle((result, error) -> result).get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(cut == null || cut.exitCode() != 0).as("command cut short: %s", cut).isTrue();
      MultiplexingConformance.poll(
          "the command's child process killed",
          () -> ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false),
          alive -> !alive);
      assertThatThrownBy(
              () -> new Socket().connect(new InetSocketAddress("127.0.0.1", firstPort), 5_000))
          .isInstanceOf(ConnectException.class);
      master.close();

      own.start();
      try (CloseableSshMaster again = SshMasters.connect(own, MasterOptions.engine(engine))) {
        assertThat(again.exec("echo again").stdout()).isEqualTo("again\n");
      }
    } finally {
      own.stop();
      Files.deleteIfExists(pidFile);
    }
  }

  /**
   * The OpenSSH engine closes a timed-out command's channel at once; the MINA engine drops it
   * without telling the server (its channel ends with the connection). Either way the server kills
   * the command with its children once the channel is closed, at the latest with the master.
   */
  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aCommandPastItsTimeoutIsKilledWithItsChildrenWhenItsChannelCloses(Engine engine)
      throws Exception {
    Path pidFile = Files.createTempFile("muxtest-embedded", ".pid");
    long sleeper;
    try {
      try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
        assertThatThrownBy(
                () ->
                    master.exec(
                        "sleep 60 & echo $! > '" + pidFile + "'; wait", Duration.ofSeconds(2)))
            .isInstanceOf(SshOperationException.class)
            .hasMessageContaining("did not finish within PT2S");
        sleeper = pidOf(pidFile).orElseThrow();
        assertThat(master.exec("echo still usable").stdout()).isEqualTo("still usable\n");
        MuxAssertions.assertThat(master).usedSingleTcpConnection();
      }

      MultiplexingConformance.poll(
          "the timed-out command's child process killed",
          () -> ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false),
          alive -> !alive);
    } finally {
      Files.deleteIfExists(pidFile);
    }
  }

  @Test
  void itListensOnLoopbackOnly() throws Exception {
    InetAddress external = nonLoopbackAddress();

    assertThatThrownBy(
            () -> {
              try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(external, server.port()), 5_000);
              }
            })
        .as("a connection to the server's port on %s", external)
        .isInstanceOf(ConnectException.class);
    assertThat(MultiplexingConformance.banner(new InetSocketAddress("127.0.0.1", server.port())))
        .isEqualTo("SSH-2.0-");
  }

  @Test
  void otherKeysOtherUsersAndPasswordsAreRefused() throws Exception {
    KeyPair stranger = KeyMaterial.generate();
    KeyPair authorised = KeyMaterial.generate();
    server.authorizeKey(authorised.getPublic());

    try (StoppedClient stopped = new StoppedClient(client());
        SshClient client = stopped.client()) {
      assertThatThrownBy(() -> login(client, server.user(), stranger))
          .hasMessageContaining("No more authentication methods available");
      assertThatThrownBy(() -> login(client, server.user() + "-other", authorised))
          .hasMessageContaining("No more authentication methods available");
      assertThatThrownBy(() -> loginWithPassword(client, server.user(), "secret"))
          .hasMessageContaining("No more authentication methods available");
      try (ClientSession session = login(client, server.user(), authorised)) {
        assertThat(session.isAuthenticated()).isTrue();
      }
    }

    assertThat(server.acceptedPublicKeyLogins(stranger.getPublic())).isEmpty();
    assertThat(server.acceptedPublicKeyLogins(authorised.getPublic())).hasSize(1);
    assertThat(server.recentLog())
        .anyMatch(
            line ->
                line.startsWith("Refused publickey for " + server.user() + " from 127.0.0.1")
                    && line.endsWith(KeyMaterial.fingerprint(stranger.getPublic())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", ""})
  void aRemoteForwardOffLoopbackIsRefused(String bindAddress) throws Exception {
    KeyPair key = KeyMaterial.generate();
    server.authorizeKey(key.getPublic());
    try (StoppedClient stopped = new StoppedClient(client());
        SshClient client = stopped.client();
        ClientSession session = login(client, server.user(), key)) {
      assertThatThrownBy(
              () ->
                  session.startRemotePortForwarding(
                      new SshdSocketAddress(bindAddress, 0), new SshdSocketAddress("127.0.0.1", 9)))
          .isInstanceOf(java.io.IOException.class);
      SshdSocketAddress onLoopback =
          session.startRemotePortForwarding(
              new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress("127.0.0.1", 9));
      assertThat(onLoopback.getPort()).isPositive();
    }
  }

  @Test
  void sftpServesTheTestMachinesFiles(@TempDir Path dir) throws Exception {
    KeyPair key = KeyMaterial.generate();
    server.authorizeKey(key.getPublic());
    Files.writeString(dir.resolve("there.txt"), "from the test machine\n");

    try (StoppedClient stopped = new StoppedClient(client());
        SshClient client = stopped.client();
        ClientSession session = login(client, server.user(), key);
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
      try (OutputStream out = sftp.write(dir.resolve("uploaded.txt").toString())) {
        out.write("over sftp\n".getBytes(StandardCharsets.UTF_8));
      }
      String read;
      try (InputStream in = sftp.read(dir.resolve("there.txt").toString())) {
        read = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }

      assertThat(read).isEqualTo("from the test machine\n");
    }
    assertThat(dir.resolve("uploaded.txt")).hasContent("over sftp");
  }

  @Test
  void openSshClientsUseSftpThroughTheMastersControlSocket(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("there.txt"), "from the test machine\n");
    Path batch = dir.resolve("batch");
    Files.writeString(
        batch,
        "get "
            + dir.resolve("there.txt")
            + " "
            + dir.resolve("fetched.txt")
            + "\n"
            + "put "
            + dir.resolve("there.txt")
            + " "
            + dir.resolve("put.txt")
            + "\n");

    try (CloseableSshMaster master =
        SshMasters.connect(server, MasterOptions.engine(Engine.OPENSSH))) {
      Process sftp =
          new ProcessBuilder(
                  "sftp",
                  "-F",
                  "/dev/null",
                  "-o",
                  "ControlPath=" + master.controlPath().orElseThrow(),
                  "-b",
                  batch.toString(),
                  "muxtest-server")
              .redirectErrorStream(true)
              .start();
      String output = new String(sftp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(sftp.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();

      assertThat(sftp.exitValue()).as("sftp: %s", output).isZero();
      assertThat(dir.resolve("fetched.txt")).hasContent("from the test machine");
      assertThat(dir.resolve("put.txt")).hasContent("from the test machine");
      MuxAssertions.assertThat(master).usedSingleTcpConnection();
    }
  }

  @Test
  void misuseFailsWithAClearError() {
    EmbeddedSshServer notStarted = new EmbeddedSshServer();

    assertThat(notStarted.isRunning()).isFalse();
    assertThatThrownBy(notStarted::port)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not running");
    assertThatThrownBy(() -> notStarted.withMaxSessions(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1, but was 0");
    assertThatThrownBy(() -> notStarted.authorizeKey(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> SshMasters.connect(notStarted, MasterOptions.engine(Engine.MINA)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EmbeddedSshServer is not running");
    assertThatThrownBy(
            () -> SshMasters.connect((EmbeddedSshServer) null, MasterOptions.engine(Engine.MINA)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SshMasters.connect(server, (MasterOptions) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.withMaxSessions(5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("before start()");
    notStarted.stop(); // harmless when not running

    int port = server.port();
    server.start(); // runs already: nothing changes
    assertThat(server.port()).isEqualTo(port);
  }

  @Test
  void aUserNameThatIsNotPlainIsReplacedForTheLogin() {
    assertThat(EmbeddedSshServer.loginName("tester")).isEqualTo("tester");
    assertThat(EmbeddedSshServer.loginName("ci_user-1.x")).isEqualTo("ci_user-1.x");
    assertThat(EmbeddedSshServer.loginName("John Doe")).isEqualTo("muxtest");
    assertThat(EmbeddedSshServer.loginName("DOMAIN\\user")).isEqualTo("muxtest");
    assertThat(EmbeddedSshServer.loginName("-oProxyCommand=x")).isEqualTo("muxtest");
    assertThat(EmbeddedSshServer.loginName(null)).isEqualTo("muxtest");
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Stops a raw client's threads at the end, which closing it alone may leave running. */
  private record StoppedClient(SshClient client) implements AutoCloseable {
    @Override
    public void close() {
      client.stop();
    }
  }

  private static SshClient client() {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(new RequiredServerKeyVerifier(server.hostKey()));
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.start();
    return client;
  }

  private static ClientSession login(SshClient client, String user, KeyPair key) throws Exception {
    ClientSession session =
        client.connect(user, server.host(), server.port()).verify(BOUND).getSession();
    try {
      session.addPublicKeyIdentity(key);
      session.auth().verify(BOUND);
      return session;
    } catch (Exception e) {
      session.close(true);
      throw e;
    }
  }

  private static void loginWithPassword(SshClient client, String user, String password)
      throws Exception {
    try (ClientSession session =
        client.connect(user, server.host(), server.port()).verify(BOUND).getSession()) {
      session.addPasswordIdentity(password);
      session.auth().verify(BOUND);
    }
  }

  private static Optional<Long> pidOf(Path file) {
    try {
      String text = Files.readString(file).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (java.io.IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String answerOneLine(ServerSocket listener) throws Exception {
    try (Socket socket = listener.accept()) {
      socket.setSoTimeout(10_000);
      String line =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      socket.getOutputStream().write(("pong " + line + "\n").getBytes(StandardCharsets.US_ASCII));
      socket.shutdownOutput();
      return line;
    }
  }

  private static InetAddress nonLoopbackAddress() throws Exception {
    List<InetAddress> addresses =
        NetworkInterface.networkInterfaces()
            .filter(i -> !i.getName().startsWith("lo"))
            .flatMap(NetworkInterface::inetAddresses)
            .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
            .toList();
    Assumptions.assumeFalse(addresses.isEmpty(), "this machine has no non-loopback IPv4 address");
    return addresses.get(0);
  }
}
