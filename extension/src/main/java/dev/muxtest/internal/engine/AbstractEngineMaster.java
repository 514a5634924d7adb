package dev.muxtest.internal.engine;

import dev.muxtest.ConnectionReport;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.sshd.agent.SshAgent;

/**
 * What both engines do alike: the master's key, its state (closed, stopped, suspended), the exec
 * overloads and session budget, the forward registry, readiness checks, liveness, reconnecting and
 * the connection report. An engine supplies only what differs: running a command in a session,
 * opening each kind of forward, probing a destination from the server, and making, checking and
 * ending its connection.
 */
public abstract class AbstractEngineMaster implements EngineMaster {

  private static final System.Logger LOG = System.getLogger(AbstractEngineMaster.class.getName());

  /** Bound on one try of a readiness probe, and on the round trip of {@link #check()}. */
  protected static final Duration PROBE_ATTEMPT = Duration.ofSeconds(10);

  /** The server this master connects to. */
  protected final ServerEndpoint server;

  /** The settings this master was opened with. */
  protected final Settings settings;

  private final KeyPair identity;
  private final SessionBudget sessions;
  private final AtomicLong connectionsOpened = new AtomicLong();
  private final Set<Forward> forwards = ConcurrentHashMap.newKeySet();
  private final MasterState state;
  private final AgentKeys agentKeys;

  /**
   * Takes the server's identity file, or makes a key pair for this master alone, and readies the
   * server for it; the engine connects afterwards.
   */
  protected AbstractEngineMaster(ServerEndpoint server, Settings settings) {
    this.server = server;
    this.settings = settings;
    this.identity = server.identityFile().map(KeyMaterial::load).orElseGet(server::freshIdentity);
    this.sessions = SessionBudget.of(settings, server);
    this.state = new MasterState(server.describe());
    this.agentKeys = new AgentKeys(server.describe());
    server.beforeConnect(identity.getPublic());
  }

  /**
   * Runs {@code command} in a new session of the master, within {@code left}; {@code timeout} is
   * for messages.
   */
  protected abstract ExecResult execInSession(
      String command, Map<String, String> environment, Duration timeout, Duration left);

  /** Opens a local forward; the master is accepting. */
  protected abstract Forward openLocal(int bindPort, String host, int port);

  /** Opens a remote forward; the master is accepting. */
  protected abstract Forward openRemote(int remotePort, String host, int port);

  /** Opens a dynamic forward; the master is accepting. */
  protected abstract Forward openDynamic(int bindPort);

  /**
   * Tries once to connect to {@code host:port} from the server, as a local forward would; empty if
   * the destination accepted, else why not.
   */
  protected abstract Optional<String> probeDestination(String host, int port);

  /**
   * Opens a new connection after the last one was lost or suspended, and reopens the forwards on
   * it.
   */
  protected abstract void reconnect();

  /**
   * Ends the connection, keeping the master (and its forwards' listeners) for a later reconnect.
   */
  protected abstract void disconnect();

  /**
   * Ends the connection and releases everything the engine holds; the forwards are closed already.
   */
  protected abstract void closeConnection();

  /**
   * Whether the engine's own control of the master answers (OpenSSH's {@code -O check}); true if it
   * has none.
   */
  protected boolean controlAnswers() {
    return true;
  }

  /**
   * What the engine does to stop accepting new sessions (OpenSSH's {@code -O stop}); nothing by
   * default.
   */
  protected void onStop() {}

  /** Why the master cannot be used: its connection is lost. */
  protected String lostConnectionMessage() {
    return "The SSH master's connection to "
        + server.describe()
        + " is lost (keep-alive every "
        + settings.keepAliveInterval()
        + ", 2 unanswered end it)";
  }

  /** The key pair the master logs in with. */
  protected final KeyPair identity() {
    return identity;
  }

  /** Counts a TCP connection opened by the client for this master. */
  protected final void countConnection() {
    connectionsOpened.incrementAndGet();
  }

  /** The agent this master forwards, when agent forwarding is on. */
  protected final void forwardAgent(SshAgent agent) {
    agentKeys.forward(agent);
  }

  /** The agent this master forwards; null when agent forwarding is off. */
  protected final SshAgent agent() {
    return agentKeys.agent();
  }

  /** Forgets a forward that closed. */
  protected final void forget(Forward forward) {
    forwards.remove(forward);
  }

  /** Whether {@link #close()} has begun. */
  public final boolean isClosed() {
    return state.isClosed();
  }

  /** Whether {@link #stop()} was called. */
  protected final boolean isStopped() {
    return state.isStopped();
  }

  /** Whether the master stopped accepting, or is closing. */
  protected final boolean isClosingOrStopped() {
    return state.isClosed() || state.isStopped();
  }

  /**
   * Reconnects a master whose connection is gone, if reconnecting is on or the master was
   * suspended. A reconnect is a new TCP connection: the count says so, and so does the proof.
   */
  protected final void reconnectIfWanted() {
    if (isConnected() || !state.wantsReconnect(settings.reconnect())) {
      return;
    }
    synchronized (this) {
      if (isConnected() || state.isClosed()) {
        return;
      }
      LOG.log(
          Level.INFO,
          "SSH master to {0} has no connection ({1}); connecting again",
          server.describe(),
          state.isSuspended() ? "suspended while idle" : "lost");
      reconnect();
      state.resumed();
    }
  }

  /**
   * Fails unless the master takes new sessions and forwards: not closed, not stopped, connected
   * (reconnecting first where that is wanted).
   */
  protected final void ensureAccepting() {
    state.ensureAccepting();
    // Asked once on the common path: on the OpenSSH engine each answer is a connection to the
    // control socket.
    if (isConnected()) {
      return;
    }
    reconnectIfWanted();
    if (!isConnected()) {
      throw new SshOperationException(lostConnectionMessage());
    }
  }

  @Override
  public final ExecResult exec(String command) {
    return exec(command, Map.of(), settings.execTimeout());
  }

  @Override
  public final ExecResult exec(String command, Duration timeout) {
    return exec(command, Map.of(), timeout);
  }

  @Override
  public final ExecResult exec(String command, Map<String, String> environment) {
    return exec(command, environment, settings.execTimeout());
  }

  private ExecResult exec(String command, Map<String, String> environment, Duration timeout) {
    Inputs.exec(command, environment, timeout);
    ensureAccepting();
    return sessions.run(
        timeout, command, left -> execInSession(command, environment, timeout, left));
  }

  @Override
  public final Forward forwardLocal(int bindPort, String host, int port) {
    Inputs.forwardLocal(bindPort, host, port);
    ensureAccepting();
    return tracked(openLocal(bindPort, host, port));
  }

  @Override
  public final Forward forwardRemote(int remotePort, String host, int port) {
    Inputs.forwardRemote(remotePort, host, port);
    ensureAccepting();
    return tracked(openRemote(remotePort, host, port));
  }

  @Override
  public final Forward forwardDynamic(int bindPort) {
    Inputs.forwardDynamic(bindPort);
    ensureAccepting();
    return tracked(openDynamic(bindPort));
  }

  private Forward tracked(Forward forward) {
    forwards.add(forward);
    return forward;
  }

  @Override
  public final void addAgentKey(KeyPair key) {
    state.ensureNotClosed();
    agentKeys.add(key);
  }

  @Override
  public final boolean check() {
    if (isClosingOrStopped()) {
      return false;
    }
    try {
      reconnectIfWanted();
    } catch (RuntimeException e) {
      LOG.log(
          Level.DEBUG,
          "Reconnecting the master to {0} failed: {1}",
          server.describe(),
          e.getMessage());
      return false;
    }
    // The engine's own answer (a session's open flag, -O check) never touches the network: a
    // command round trip does.
    return isConnected() && controlAnswers() && answersRoundTrip();
  }

  private boolean answersRoundTrip() {
    try {
      return exec("true", PROBE_ATTEMPT).exitCode() == 0;
    } catch (SshOperationException e) {
      LOG.log(Level.DEBUG, "Liveness check of the master failed: {0}", e.getMessage());
      return false;
    }
  }

  @Override
  public final void stop() {
    state.ensureNotClosed();
    if (state.stop()) {
      onStop();
    }
  }

  @Override
  public Optional<Path> controlPath() {
    return Optional.empty();
  }

  @Override
  public final long tcpConnectionsOpened() {
    return connectionsOpened.get();
  }

  @Override
  public final ConnectionReport connectionReport() {
    return ServerEvidence.report(server, identity.getPublic(), connectionsOpened::get);
  }

  @Override
  public final Forward open(TunnelSpec spec, Duration readyTimeout, Consumer<Forward> register) {
    return new ForwardReadiness(this, server.describe()).open(spec, readyTimeout, register);
  }

  @Override
  public final List<Forward> openForwards() {
    return List.copyOf(forwards);
  }

  @Override
  public String logTail() {
    return "";
  }

  @Override
  public final synchronized void suspend() {
    if (isConnected() && state.suspend()) {
      disconnect();
    }
  }

  @Override
  public final boolean serverEvidenceAvailable() {
    return server.logsLogins();
  }

  /** Closes every forward, then the connection. Idempotent. */
  @Override
  public final void close() {
    if (!state.close()) {
      return;
    }
    try {
      closeProcesses();
      List.copyOf(forwards).forEach(Forward::close);
    } finally {
      closeConnection();
    }
  }

  @Override
  public String toString() {
    return engine() + " master to " + server.describe();
  }

  // Long-running processes: started in a session held from the budget until the process closes or
  // its channel ends; tracked here for both engines and closed with the master at the latest.

  private final Set<RemoteProcess> processes = ConcurrentHashMap.newKeySet();

  /**
   * Starts {@code command} in a new session, the master accepting and a session of the budget
   * taken; the engine calls {@code ended} once the process's channel (or multiplexing client) has
   * ended on its own, which gives its session back before {@link RemoteProcess#close()}.
   */
  protected abstract RemoteProcess openProcess(String command, boolean terminal, Runnable ended);

  @Override
  public final RemoteProcess start(String command) {
    return startProcess("start", command, false);
  }

  @Override
  public final RemoteProcess startWithTerminal(String command) {
    return startProcess("startWithTerminal", command, true);
  }

  /** The processes started through this master and not closed yet, for diagnostics. */
  public final List<RemoteProcess> openProcesses() {
    return List.copyOf(processes);
  }

  private RemoteProcess startProcess(String method, String command, boolean terminal) {
    if (command == null) {
      throw new IllegalArgumentException(method + ": command must not be null");
    }
    if (command.isBlank()) {
      throw new IllegalArgumentException(method + ": command must not be blank");
    }
    if (command.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(method + ": command must not contain a NUL character");
    }
    ensureAccepting();
    SessionBudget.Lease lease = sessions.acquire(settings.execTimeout(), command);
    TrackedProcess tracked;
    try {
      tracked = new TrackedProcess(openProcess(command, terminal, lease::release), lease);
    } catch (RuntimeException e) {
      lease.release();
      throw e;
    }
    processes.add(tracked);
    if (isClosed()) { // the master closed while the process started: it was not among those closed
      tracked.close();
      state.ensureNotClosed();
    }
    return tracked;
  }

  private void closeProcesses() {
    List.copyOf(processes).forEach(RemoteProcess::close);
  }

  /** When a process was last closed through this master (System.nanoTime); null if never. */
  private volatile Long lastProcessClose;

  /**
   * Whether a process of this master was closed within {@code window}: its session may still be
   * counted by the server for a moment (the OpenSSH engine ends the client and cannot wait for the
   * server's side of the close).
   */
  protected final boolean aProcessClosedWithin(Duration window) {
    Long last = lastProcessClose;
    return last != null && System.nanoTime() - last < window.toNanos();
  }

  /** An engine's process, holding its session of the budget and its place in the registry. */
  private final class TrackedProcess implements RemoteProcess {
    private final RemoteProcess process;
    private final SessionBudget.Lease lease;

    TrackedProcess(RemoteProcess process, SessionBudget.Lease lease) {
      this.process = process;
      this.lease = lease;
    }

    @Override
    public OutputStream stdin() {
      return process.stdin();
    }

    @Override
    public InputStream stdout() {
      return process.stdout();
    }

    @Override
    public InputStream stderr() {
      return process.stderr();
    }

    @Override
    public int waitFor(Duration timeout) {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("waitFor: timeout must be positive, but was " + timeout);
      }
      if (timeout.compareTo(Settings.MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            "waitFor: timeout must be at most 24h, but was " + timeout);
      }
      return process.waitFor(timeout);
    }

    @Override
    public boolean isAlive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      try {
        process.close();
      } finally {
        lastProcessClose = System.nanoTime();
        lease.release();
        processes.remove(this);
      }
    }

    @Override
    public String toString() {
      return process.toString();
    }
  }

  // --- Tunnels to UNIX-domain sockets on the server ---------------------------------------------

  /**
   * Opens a local forward to the UNIX-domain socket {@code path} on the server; the master is
   * accepting, the path checked ({@link SocketPaths}).
   */
  protected abstract Forward openLocalSocket(int bindPort, String path);

  @Override
  public final Forward forwardLocalSocket(int bindPort, String remoteSocketPath) {
    Inputs.forwardLocalSocket(bindPort, remoteSocketPath);
    if (server instanceof EmbeddedEndpoint) {
      // Refused here rather than per connection: each would otherwise be closed without a word.
      throw new SshOperationException(
          "Cannot forward to the UNIX socket "
              + remoteSocketPath
              + " through "
              + server.describe()
              + ": the embedded server (Apache MINA SSHD) does not implement UNIX-socket forwarding"
              + " (direct-streamlocal@openssh.com); use an SshdContainer");
    }
    ensureAccepting();
    return tracked(openLocalSocket(bindPort, remoteSocketPath));
  }

  // --- Files (issue 12): upload and download over the master ---

  /**
   * Moves one file as {@code transfer} says, in one session of the master, within {@code left}; the
   * arguments and the local side are checked already. Fails with {@link
   * FileTransfer#failed(String)} or {@link FileTransfer#timedOut()}.
   */
  protected abstract void transferFile(FileTransfer transfer, Duration left);

  @Override
  public final void upload(Path local, String remotePath) {
    upload(local, remotePath, settings.execTimeout());
  }

  @Override
  public final void upload(Path local, String remotePath, Duration timeout) {
    transfer(
        FileTransfer.of(
            FileTransfer.Direction.UPLOAD, local, remotePath, timeout, server.describe()));
  }

  @Override
  public final void download(String remotePath, Path local) {
    download(remotePath, local, settings.execTimeout());
  }

  @Override
  public final void download(String remotePath, Path local, Duration timeout) {
    transfer(
        FileTransfer.of(
            FileTransfer.Direction.DOWNLOAD, local, remotePath, timeout, server.describe()));
  }

  /** Checks, then runs the transfer in a session of the budget, like a command. */
  private void transfer(FileTransfer transfer) {
    transfer.checkLocalSide();
    ensureAccepting();
    sessions.run(
        transfer.timeout(),
        transfer.describe(),
        left -> {
          transferFile(transfer, left);
          return null;
        });
  }
}
