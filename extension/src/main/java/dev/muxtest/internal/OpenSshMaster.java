package dev.muxtest.internal;

import dev.muxtest.ConnectionReport;
import dev.muxtest.ControlMaster;
import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.local.LocalAgentFactory;

/**
 * The OpenSSH engine: the OpenSSH client's own master ({@code ssh -M} on a control socket in a
 * private directory), driven with {@code ssh -O check|forward|cancel|stop|exit}. Commands run as
 * multiplexing clients of that master ({@code ssh -S}).
 */
public final class OpenSshMaster implements EngineMaster {

  /** The server's name in the generated config; also the known_hosts alias of its pinned key. */
  static final String HOST_ALIAS = "muxtest-server";

  /** The jump host's name in the generated config and known_hosts, when the server has one. */
  static final String JUMP_ALIAS = "muxtest-jump";

  private static final System.Logger LOG = System.getLogger(OpenSshMaster.class.getName());
  private static final Pattern MASTER_PID = Pattern.compile("Master running \\(pid=(\\d+)\\)");
  private static final Pattern SAFE_HOST = Pattern.compile("[A-Za-z0-9._:-]+");
  /** Messages of OpenSSH's multiplexing client: the session did not go over the master. */
  private static final List<String> MUX_FAILURES = List.of(
      "mux_client", "Control socket connect", "ControlSocket", "Session open refused",
      "disabling multiplexing", "kex_exchange_identification", "master is not running",
      "Connection closed by UNKNOWN");
  private static final int FORWARD_ATTEMPTS = 5;
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PROBE_PAUSE = Duration.ofMillis(100);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

  private final ServerEndpoint server;
  private final ControlMaster mode;
  private final Settings settings;
  private final KeyPair identity;
  private final Path directory;
  private final Path config;
  private final Path controlPath;
  private final Path masterLog;
  private final AtomicLong connectionsOpened = new AtomicLong();
  private final Set<Forward> forwards = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicBoolean suspended = new AtomicBoolean();
  private final SessionBudget sessions;
  private volatile ProcessHandle masterProcess;
  private volatile SshAgent agent;
  private volatile JvmAgentSocket agentSocket;

  /** The agent socket's name: as short as the control socket's, so it fits wherever that fits. */
  private static final String AGENT_SOCKET = "agt";

  /**
   * Masters not closed yet. An OpenSSH master is a process of its own that outlives the JVM; a
   * JVM that ends without the engine closing its classes (System.exit, a fork killed on timeout)
   * still ends its masters through this hook.
   */
  private static final Set<OpenSshMaster> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> List.copyOf(OPEN).forEach(OpenSshMaster::close), "muxtest-openssh-shutdown"));
  }

  private OpenSshMaster(ServerEndpoint server, ControlMaster mode, Settings settings, KeyPair identity, Path directory) {
    this.server = server;
    this.mode = mode;
    this.settings = settings;
    this.identity = identity;
    this.directory = directory;
    this.config = directory.resolve("config");
    this.controlPath = directory.resolve(ControlDirectory.SOCKET);
    this.masterLog = directory.resolve("master.log");
    this.sessions = SessionBudget.of(settings, server);
  }

  /**
   * Writes the key, known_hosts and config into a new private directory and, unless {@code mode}
   * is NO, starts the master and waits until it is authenticated.
   *
   * @throws SshOperationException naming the server and the master's own log when it cannot
   */
  public static OpenSshMaster connect(ServerEndpoint server, ControlMaster mode, Settings settings) {
    return connect(server, mode, settings, false);
  }

  /**
   * As {@link #connect(ServerEndpoint, ControlMaster, Settings)}; with {@code forwardAgent}, an
   * SSH agent of the test JVM serves a socket in the private directory, which the master uses as
   * its {@code IdentityAgent} and forwards ({@code ForwardAgent yes}) for every session.
   */
  public static OpenSshMaster connect(ServerEndpoint server, ControlMaster mode, Settings settings,
      boolean forwardAgent) {
    KeyPair identity = server.identityFile().map(KeyMaterial::load).orElseGet(KeyMaterial::generate);
    server.authorize(identity.getPublic());
    OpenSshMaster master = new OpenSshMaster(
        server, mode, settings, identity, ControlDirectory.create(settings.controlDirectory()));
    OPEN.add(master);
    try {
      if (forwardAgent) {
        master.agent = new LocalAgentFactory().getAgent();
        master.agentSocket = JvmAgentSocket.serve(master.agent, master.directory.resolve(AGENT_SOCKET));
      }
      master.writeFiles();
      if (mode != ControlMaster.NO) {
        master.startMaster();
      }
      return master;
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
  }

  private void writeFiles() {
    try {
      // A server outside the test: its identity file and known_hosts as given, copied nowhere.
      Path key = server.identityFile().orElse(directory.resolve("id"));
      if (server.identityFile().isEmpty()) {
        Files.write(key, KeyMaterial.openSshPrivateKey(identity, "muxtest client key"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      }
      if (server.knownHostsFile().isEmpty()) Files.writeString(directory.resolve("known_hosts"),
          HOST_ALIAS + " " + KeyMaterial.publicKeyLine(server.hostKey()) + "\n"
              + server.jumpHost().map(jump -> JUMP_ALIAS + " " + KeyMaterial.publicKeyLine(jump.hostKey()) + "\n").orElse(""));
      Files.writeString(config, configText(key), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the OpenSSH files in " + directory, e);
    }
  }

  /** The whole client configuration: with -F, the user's ~/.ssh/config plays no part. */
  private String configText(Path key) {
    List<String> lines = new ArrayList<>(hostBlock(HOST_ALIAS, server, key));
    if (agentSocket != null) {
      // Ahead of the block's "IdentityAgent none": in an ssh config the first value wins.
      lines.addAll(1, List.of("  IdentityAgent " + quoted(agentSocket.path()), "  ForwardAgent yes"));
    }
    lines.addAll(List.of(
        "  ControlPath " + quoted(controlPath),
        "  ControlMaster no",
        "  ExitOnForwardFailure yes",
        "  RequestTTY no"));
    server.jumpHost().ifPresent(jump -> {
      // ProxyJump runs `ssh -F <this file> -W target:22 muxtest-jump`: the master's one TCP connection.
      lines.add("  ProxyJump " + JUMP_ALIAS);
      lines.addAll(hostBlock(JUMP_ALIAS, jump, key));
      lines.add("  ControlPath none"); // the jump's own ssh must never take the target's control socket
    });
    lines.add("");
    return String.join("\n", lines);
  }

  /** A Host block with what every connection of this master needs: key, pinned host key, bounds. */
  private List<String> hostBlock(String alias, ServerEndpoint endpoint, Path key) {
    return java.util.stream.Stream.of(
        "Host " + alias,
        "  HostName " + endpoint.host(),
        "  Port " + endpoint.port(),
        "  User " + endpoint.user(),
        "  IdentityFile " + quoted(key),
        "  IdentitiesOnly yes",
        "  IdentityAgent none",
        "  PreferredAuthentications publickey",
        "  PasswordAuthentication no",
        "  KbdInteractiveAuthentication no",
        "  BatchMode yes",
        // The host key is pinned under an alias, whatever host and port Testcontainers reports; a
        // server outside the test is looked up as itself ([host]:port) in its own known_hosts.
        endpoint.knownHostsFile().isPresent() ? "" : "  HostKeyAlias " + alias,
        "  UserKnownHostsFile " + quoted(endpoint.knownHostsFile().orElse(directory.resolve("known_hosts"))),
        "  GlobalKnownHostsFile /dev/null",
        "  StrictHostKeyChecking yes",
        "  CheckHostIP no",
        "  UpdateHostKeys no",
        "  ServerAliveInterval " + Math.max(1, settings.keepAliveInterval().toSeconds()),
        "  ServerAliveCountMax 2",
        "  ConnectTimeout " + Math.max(1, settings.connectTimeout().toSeconds()),
        "  LogLevel ERROR").filter(line -> !line.isEmpty()).toList();
  }

  /** A path as one config argument: OpenSSH's config takes double-quoted arguments. */
  private static String quoted(Path path) {
    return "\"" + path + "\"";
  }

  private void startMaster() {
    if (mode == ControlMaster.AUTO && Files.exists(controlPath) && muxCommand("check").exitCode() == 0) {
      masterProcess = masterPid().orElse(null);
      return; // a live master on this path: reuse it
    }
    List<String> command = ssh("-M", "-N", "-o", "ControlMaster=yes",
        // Backgrounds the master once it is authenticated; we own it and end it with -O exit.
        "-o", "ControlPersist=yes", "-o", "LogLevel=INFO", "-E", masterLog.toString(),
        // The master forwards a mux client's environment only where its own SendEnv allows; the
        // clients already send only the names exec() asked for.
        "-o", "SendEnv=*", HOST_ALIAS);
    // The foreground process returns once the master is up (or failed); the master lives on.
    SshCommand.Result started = SshCommand.run(command, Map.of(), directory, settings.connectTimeout().plusSeconds(5));
    connectionsOpened.incrementAndGet();
    if (started.exitCode() != 0) {
      throw new SshOperationException(String.format(
          "Cannot start the OpenSSH master to %s (exit %d): %s%s",
          server.describe(), started.exitCode(), started.stderr().strip(), masterLogTail()));
    }
    masterProcess = masterPid().orElseThrow(() -> new SshOperationException(
        "The OpenSSH master to " + server.describe() + " started but does not answer on " + controlPath + masterLogTail()));
    LOG.log(Level.DEBUG, "OpenSSH master {0} to {1} running", masterProcess.pid(), server.describe());
  }

  private Optional<ProcessHandle> masterPid() {
    SshCommand.Result check = muxCommand("check");
    Matcher m = MASTER_PID.matcher(check.stderr() + check.stdout());
    return check.exitCode() == 0 && m.find() ? ProcessHandle.of(Long.parseLong(m.group(1))) : Optional.empty();
  }

  @Override
  public Engine engine() {
    return Engine.OPENSSH;
  }

  @Override
  public ExecResult exec(String command) {
    return exec(command, Map.of(), settings.execTimeout());
  }

  @Override
  public ExecResult exec(String command, Duration timeout) {
    return exec(command, Map.of(), timeout);
  }

  @Override
  public ExecResult exec(String command, Map<String, String> environment) {
    return exec(command, environment, settings.execTimeout());
  }

  private ExecResult exec(String command, Map<String, String> environment, Duration timeout) {
    ensureAccepting();
    return sessions.run(timeout, command, left -> execInSession(command, environment, timeout, left));
  }

  private ExecResult execInSession(String command, Map<String, String> environment, Duration timeout,
      Duration left) {
    List<String> args = new ArrayList<>(List.of("-T"));
    environment.keySet().forEach(name -> args.addAll(List.of("-o", "SendEnv=" + name)));
    args.addAll(clientOptions());
    args.add(HOST_ALIAS);
    args.add(command);
    SshCommand.Result result;
    try {
      result = SshCommand.run(ssh(args), environment, directory, left);
    } catch (SshOperationException e) {
      throw new SshOperationException(
          "Command did not finish within " + timeout + " on " + server.describe() + ": " + command, e);
    }
    if (mode == ControlMaster.NO) {
      connectionsOpened.incrementAndGet();
    } else if (result.exitCode() == 255 && isMuxFailure(result.stderr())) {
      throw new SshOperationException(String.format(
          "OpenSSH did not run the command over the master to %s, and no second connection was made: %s%s",
          server.describe(), muxFailureCause(result.stderr()), command));
    }
    return new ExecResult(result.exitCode(), result.stdout(), result.stderr());
  }

  /**
   * Options of every multiplexing client. Were the master to refuse a session, OpenSSH would
   * quietly open a connection of its own; a ProxyCommand that fails makes that fallback fail
   * loudly instead.
   */
  private List<String> clientOptions() {
    return mode == ControlMaster.NO
        ? List.of("-o", "ControlPath=none")
        : List.of("-o", "ControlMaster=no", "-o", "ProxyCommand=false");
  }

  /** The mux client's own words, without the echo of the blocked fallback, and what they mean. */
  private static String muxFailureCause(String stderr) {
    String words = stderr.lines()
        .filter(line -> !line.startsWith("kex_exchange_identification") && !line.startsWith("Connection closed by UNKNOWN"))
        .map(String::strip)
        .collect(java.util.stream.Collectors.joining("; "));
    String meaning = stderr.contains("Session open refused")
        ? "the server refused a new session on the master's connection (is its MaxSessions reached?)"
        : "the master did not take the session";
    return meaning + ": " + words + ": ";
  }

  private static boolean isMuxFailure(String stderr) {
    return MUX_FAILURES.stream().anyMatch(stderr::contains);
  }

  @Override
  public Forward forwardLocal(int bindPort, String host, int port) {
    return onLoopbackPort(bindPort, "a local forward to " + host + ":" + port, localPort -> {
      String spec = "127.0.0.1:" + localPort + ":" + host + ":" + port;
      return mode == ControlMaster.NO
          ? OpenSshForward.ownConnection(this, "-L", spec, localPort, host, port)
          : OpenSshForward.overMaster(this, "-L", spec, localPort, host, port, 0);
    });
  }

  @Override
  public Forward forwardDynamic(int bindPort) {
    return onLoopbackPort(bindPort, "a dynamic forward (SOCKS proxy)", localPort -> {
      String spec = "127.0.0.1:" + localPort;
      return mode == ControlMaster.NO
          ? OpenSshForward.ownConnection(this, "-D", spec, localPort, "", 0)
          : OpenSshForward.overMaster(this, "-D", spec, localPort, "", 0, 0);
    });
  }

  /**
   * Opens a forward listening on {@code bindPort}, or, for 0, on a free port: OpenSSH refuses -L
   * and -D on port 0, so muxtest picks one, and picks again if another process takes it first.
   */
  private Forward onLoopbackPort(int bindPort, String what, java.util.function.IntFunction<OpenSshForward> open) {
    ensureAccepting();
    SshOperationException last = null;
    int attempts = bindPort == 0 ? FORWARD_ATTEMPTS : 1;
    for (int attempt = 0; attempt < attempts; attempt++) {
      try {
        OpenSshForward forward = open.apply(bindPort == 0 ? freeLoopbackPort() : bindPort);
        forwards.add(forward);
        return forward;
      } catch (SshOperationException e) {
        last = e;
      }
    }
    throw new SshOperationException("Cannot open " + what + " through " + server.describe() + " after "
        + attempts + " attempt(s): " + last.getMessage(), last);
  }

  @Override
  public Forward forwardRemote(int remotePort, String host, int port) {
    ensureAccepting();
    if (remotePort == 0 && mode != ControlMaster.NO && openWithSpec("-R 0:" + host + ":" + port)) {
      // OpenSSH cancels a port-0 remote forward by the spec as requested, which would then match the
      // first of the two: ask for a port of our own choosing, so that each can be cancelled alone.
      return serverPortOfOurChoosing(host, port);
    }
    return addRemote(remotePort, host, port);
  }

  private Forward addRemote(int remotePort, String host, int port) {
    String spec = remotePort + ":" + host + ":" + port;
    OpenSshForward forward = mode == ControlMaster.NO
        ? OpenSshForward.ownConnection(this, "-R", spec, port, host, port)
        : OpenSshForward.overMaster(this, "-R", spec, port, host, port, remotePort);
    forwards.add(forward);
    return forward;
  }

  private boolean openWithSpec(String flagAndSpec) {
    return forwards.stream().anyMatch(f -> f.toString().equals(flagAndSpec));
  }

  /** A random port of the server's dynamic range, tried again when the server has it taken. */
  private Forward serverPortOfOurChoosing(String host, int port) {
    SshOperationException last = null;
    for (int attempt = 0; attempt < FORWARD_ATTEMPTS; attempt++) {
      try {
        return addRemote(java.util.concurrent.ThreadLocalRandom.current().nextInt(49152, 65536), host, port);
      } catch (SshOperationException e) {
        last = e;
      }
    }
    throw new SshOperationException("Cannot open a remote forward to " + host + ":" + port + " through "
        + server.describe() + " after " + FORWARD_ATTEMPTS + " attempts: " + last.getMessage(), last);
  }

  /** {@code ssh -O <operation>} against this master's control socket. */
  SshCommand.Result muxCommand(String operation, String... args) {
    List<String> command = new ArrayList<>(List.of("-O", operation));
    command.addAll(List.of(args));
    command.add(HOST_ALIAS);
    return SshCommand.run(ssh(command), Map.of(), directory, settings.connectTimeout());
  }

  /** {@code ssh -F <config> <args...>}. */
  List<String> ssh(String... args) {
    return ssh(List.of(args));
  }

  private List<String> ssh(List<String> args) {
    List<String> command = new ArrayList<>(List.of(settings.sshExecutable(), "-F", config.toString()));
    command.addAll(args);
    return command;
  }

  void opened() {
    connectionsOpened.incrementAndGet();
  }

  void forgotten(Forward forward) {
    forwards.remove(forward);
  }

  Path directory() {
    return directory;
  }

  Duration connectTimeout() {
    return settings.connectTimeout();
  }

  String describeServer() {
    return server.describe();
  }

  boolean isClosed() {
    return closed.get();
  }

  /** While closing, or once stopped, the control socket no longer takes -O cancel. */
  boolean isClosing() {
    return closed.get() || stopped.get();
  }

  @Override
  public void addAgentKey(KeyPair key) {
    AgentKeys.add(agent, key, server);
  }

  @Override
  public boolean check() {
    if (closed.get()) {
      return false;
    }
    if (mode != ControlMaster.NO) {
      if (!stopped.get() && !masterAlive() && (settings.reconnect() || suspended.get())) {
        try {
          reconnect();
        } catch (RuntimeException e) {
          LOG.log(Level.DEBUG, "Reconnecting the master to {0} failed: {1}", server.describe(), e.getMessage());
          return false;
        }
      }
      // -O check answers from the master process alone; the command below crosses the network.
      if (stopped.get() || !masterAlive() || muxCommand("check").exitCode() != 0) {
        return false;
      }
    }
    return answersRoundTrip(CHECK_TIMEOUT);
  }

  @Override
  public void stop() {
    if (stopped.compareAndSet(false, true) && mode != ControlMaster.NO) {
      SshCommand.Result result = muxCommand("stop");
      if (result.exitCode() != 0) {
        LOG.log(Level.WARNING, "ssh -O stop failed: {0}", result.stderr().strip());
      }
    }
  }

  @Override
  public synchronized void suspend() {
    ProcessHandle process = masterProcess;
    if (!closed.get() && !stopped.get() && mode != ControlMaster.NO && masterAlive()) {
      suspended.set(true);
      muxCommand("exit");
      awaitExit(process);
    }
  }

  @Override
  public Optional<Path> controlPath() {
    return mode == ControlMaster.NO ? Optional.empty() : Optional.of(controlPath);
  }

  @Override
  public boolean serverEvidenceAvailable() {
    return server.logsLogins();
  }

  @Override
  public long tcpConnectionsOpened() {
    return connectionsOpened.get();
  }

  @Override
  public ConnectionReport connectionReport() {
    return ServerEvidence.report(server, identity.getPublic(), connectionsOpened::get);
  }

  @Override
  public void awaitReachable(Forward forward, Duration timeout) {
    switch (forward.type()) {
      case REMOTE -> ForwardProbes.awaitServerListener(this, forward, server.describe(), timeout);
      case DYNAMIC -> ForwardProbes.awaitLocalListener(forward);
      default -> awaitLocalForward(forward, timeout);
    }
  }

  private void awaitLocalForward(Forward forward, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String host = forward.destinationHost();
    if (SAFE_HOST.matcher(host).matches()) {
      // From the server's side, as the forward will connect: bash's /dev/tcp opens a TCP connection.
      String probe = "exec bash -c 'exec 3<>/dev/tcp/" + host + "/" + forward.destinationPort() + "'";
      ExecResult last = null;
      while (last == null || last.exitCode() != 0) {
        last = exec(probe, Map.of(), CHECK_TIMEOUT);
        if (last.exitCode() == 0) {
          break;
        }
        if (System.nanoTime() >= deadline) {
          throw new SshOperationException(String.format(
              "Destination %s:%d did not accept a connection from %s within %s: %s",
              host, forward.destinationPort(), server.describe(), timeout, last.stderr().strip()));
        }
        pause();
      }
    }
    ForwardProbes.awaitLocalListener(forward);
  }

  /**
   * Ends the master with {@code -O exit}, waits for its process (killing it if it stays), and
   * removes the private directory with the control socket. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      List.copyOf(forwards).forEach(Forward::close);
      ProcessHandle process = masterProcess;
      if (process != null && Processes.running(process)) {
        if (!stopped.get()) {
          muxCommand("exit");
        }
        awaitExit(process);
      }
    } finally {
      if (agentSocket != null) {
        agentSocket.close();
      }
      ControlDirectory.delete(directory);
      OPEN.remove(this);
    }
  }

  /**
   * Starts a new master after the last one lost its connection, and adds its forwards again on the
   * same ports. A new TCP connection: the count says so, and so does the end-of-class proof.
   */
  private synchronized void reconnect() {
    if (masterAlive() || closed.get()) {
      return;
    }
    LOG.log(Level.INFO, "OpenSSH master to {0} lost its connection; reconnecting", server.describe());
    try {
      Files.deleteIfExists(controlPath); // a socket nobody listens on any more
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove the dead control socket " + controlPath, e);
    }
    startMaster();
    suspended.set(false);
    for (Forward forward : List.copyOf(forwards)) {
      if (forward instanceof OpenSshForward openSsh) {
        openSsh.reopen();
      }
    }
  }

  /**
   * The master runs and answers on its socket. An OpenSSH master deletes its socket when it ends
   * (connection lost, -O exit); its process may then linger as a zombie where nothing reaps
   * orphans, so the process alone does not tell.
   */
  private boolean masterAlive() {
    ProcessHandle process = masterProcess;
    return process != null && Processes.running(process) && ControlDirectory.answers(controlPath);
  }

  private static void awaitExit(ProcessHandle process) {
    if (!Processes.awaitEnd(process, EXIT_WAIT)) {
      process.destroy();
      if (!Processes.awaitEnd(process, EXIT_WAIT)) {
        process.destroyForcibly();
      }
    }
  }

  private void ensureAccepting() {
    if (closed.get()) {
      throw new SshOperationException("The SSH master to " + server.describe() + " is closed");
    }
    if (stopped.get()) {
      throw new SshOperationException(
          "The SSH master to " + server.describe() + " is stopped: it refuses new sessions and forwards");
    }
    if (mode != ControlMaster.NO && !masterAlive() && (settings.reconnect() || suspended.get())) {
      reconnect();
    }
    if (mode != ControlMaster.NO && !masterAlive()) {
      throw new SshOperationException("The OpenSSH master to " + server.describe()
          + " has exited: its connection was lost (keep-alive every " + settings.keepAliveInterval()
          + ", 2 unanswered end it)" + masterLogTail());
    }
  }


  @Override
  public List<Forward> openForwards() {
    return List.copyOf(forwards);
  }

  @Override
  public String logTail() {
    return masterLogTail().strip();
  }

  String masterLogTail() {
    try {
      if (!Files.exists(masterLog)) {
        return "";
      }
      List<String> lines = Files.readAllLines(masterLog, StandardCharsets.UTF_8);
      return "\nmaster log:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free loopback port", e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(PROBE_PAUSE.toMillis()); // between bounded polls of a destination
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshOperationException("Interrupted while waiting", e);
    }
  }
}
