package dev.muxtest.internal.engine;

import dev.muxtest.ConnectionReport;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.RemoteProcess;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.sshd.agent.SshAgent;

/**
 * What every master is, for both engines: its key, its state (closed, stopped, suspended), its
 * session budget, liveness ({@link Liveness}) and the connection report. Forwards, processes and
 * file transfers are collaborators it composes ({@link ForwardRegistry}, {@link ProcessRegistry},
 * {@link FileTransfers}). An engine supplies only what differs: running a command in a session,
 * opening each kind of forward, starting a process, moving a file, probing a destination from the
 * server, and making, checking and ending its connection.
 */
public abstract class AbstractEngineMaster implements EngineMaster {

  /** Bound on one try of a readiness probe, and on the round trip of {@link #check()}. */
  protected static final Duration PROBE_ATTEMPT = Duration.ofSeconds(10);

  /** The server this master connects to. */
  protected final ServerEndpoint server;

  /** The settings this master was opened with. */
  protected final Settings settings;

  private final KeyPair identity;
  private final SessionBudget sessions;
  private final MasterState state;
  private final AgentKeys agentKeys;
  private final ForwardRegistry forwards;
  private final ProcessRegistry processes;
  private final FileTransfers files;
  private final Liveness liveness;
  private final ConnectionCount connections;

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
    this.connections = new ConnectionCount(server, identity.getPublic());
    this.liveness = new Liveness(this, state, sessions, settings.reconnect(), server.describe());
    this.forwards = new ForwardRegistry(server, liveness::ensureAccepting, this::forwardOpener);
    this.processes =
        new ProcessRegistry(
            sessions,
            settings.execTimeout(),
            state,
            liveness::ensureAccepting,
            this::openProcess,
            (command, timeout) -> execInSession(command, Map.of(), timeout, timeout),
            server.describe());
    this.files =
        new FileTransfers(
            server.describe(),
            sessions,
            liveness::ensureAccepting,
            this::transferFile,
            settings.transferMaxSize());
    server.beforeConnect(identity.getPublic());
  }

  /** Runs {@code command} in a new session within {@code left} ({@code timeout}: for messages). */
  protected abstract ExecResult execInSession(
      String command, Map<String, String> environment, Duration timeout, Duration left);

  /** How the engine opens each kind of forward. */
  protected abstract ForwardOpener forwardOpener();

  /** Starts a process as {@link ProcessRegistry.Starter} says. */
  protected abstract RemoteProcess openProcess(
      String command, String shown, boolean terminal, Runnable ended);

  /** Moves one file as {@link FileTransfers.Mover} says. */
  protected abstract void transferFile(FileTransfer transfer, Duration left);

  /** Tries once to reach {@code host:port} from the server as a forward does: empty, or why not. */
  protected abstract Optional<String> probeDestination(String host, int port);

  /** Opens a new connection after a loss or a suspension, and reopens the forwards on it. */
  protected abstract void connectAgain();

  /** Ends the connection, keeping the master and its forwards' listeners for a reconnect. */
  protected abstract void disconnect();

  /** Ends the connection and releases what the engine holds; the forwards are closed already. */
  protected abstract void closeConnection();

  /** Whether the engine's own control answers (OpenSSH's {@code -O check}); true without one. */
  protected boolean controlAnswers() {
    return true;
  }

  /** What the engine does to stop accepting (OpenSSH's {@code -O stop}); nothing by default. */
  protected void onStopAccepting() {}

  /** Why the master cannot be used: its connection is lost. */
  protected String lostConnectionMessage() {
    return "The SSH master to "
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
    connections.add();
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
    forwards.forget(forward);
  }

  /** The forwards, for an engine to reopen its own after a reconnect. */
  protected final <T> void reopenForwards(Class<T> kind, Consumer<T> reopen) {
    forwards.reopen(kind, reopen);
  }

  /** Whether a process of this master was closed within {@code window}. */
  protected final boolean aProcessClosedWithin(Duration window) {
    return processes.aProcessClosedWithin(window);
  }

  /** Whether {@link #close()} has begun. */
  public final boolean isClosed() {
    return state.isClosed();
  }

  /** Whether {@link #stopAccepting()} was called. */
  protected final boolean isStopped() {
    return state.isStopped();
  }

  /** Whether the master stopped accepting, or is closing. */
  protected final boolean isClosingOrStopped() {
    return state.isClosed() || state.isStopped();
  }

  /** Reconnects a master without its connection, if it was suspended or reconnecting is on. */
  protected final void reconnectIfWanted() {
    liveness.ifWanted();
  }

  @Override
  public final Duration commandTimeout() {
    return settings.execTimeout();
  }

  @Override
  public final ExecResult exec(String command, Map<String, String> environment, Duration timeout) {
    Inputs.exec(command, environment, timeout, settings.environmentAllow());
    liveness.ensureAccepting();
    return sessions.run(
        timeout,
        CommandText.shorten(command),
        left -> execInSession(command, environment, timeout, left));
  }

  @Override
  public final Forward forwardLocal(int bindPort, String host, int port) {
    return forwards.local(bindPort, host, port);
  }

  @Override
  public final Forward forwardRemote(int remotePort, String host, int port) {
    return forwards.remote(remotePort, host, port);
  }

  @Override
  public final Forward forwardDynamic(int bindPort) {
    return forwards.dynamic(bindPort);
  }

  @Override
  public final Forward forwardLocalSocket(int bindPort, String remoteSocketPath) {
    return forwards.localSocket(bindPort, remoteSocketPath);
  }

  @Override
  public final RemoteProcess start(String command) {
    return processes.start("start", command, false);
  }

  @Override
  public final RemoteProcess startWithTerminal(String command) {
    return processes.start("startWithTerminal", command, true);
  }

  /** The processes started through this master and not closed yet, for diagnostics. */
  public final List<RemoteProcess> openProcesses() {
    return processes.open();
  }

  @Override
  public final void upload(Path local, String remotePath, Duration timeout) {
    files.upload(local, remotePath, timeout);
  }

  @Override
  public final void download(String remotePath, Path local, Duration timeout) {
    files.download(remotePath, local, timeout);
  }

  @Override
  public final void addAgentKey(KeyPair key) {
    state.ensureNotClosed();
    agentKeys.add(key);
  }

  @Override
  public final boolean check() {
    return liveness.check();
  }

  @Override
  public final boolean reconnect() {
    return liveness.reconnect();
  }

  @Override
  public final void stopAccepting() {
    state.ensureNotClosed();
    if (state.stop()) {
      onStopAccepting();
    }
  }

  @Override
  public Optional<Path> controlPath() {
    return Optional.empty();
  }

  @Override
  public final long clientConnections() {
    return connections.opened();
  }

  @Override
  public final ConnectionReport connectionReport() {
    return connections.report();
  }

  @Override
  public final Forward open(TunnelSpec spec, Duration readyTimeout) {
    return new ForwardReadiness(this, server.describe()).open(spec, readyTimeout);
  }

  /** {@link #close()} closes every forward before the connection, on both engines. */
  @Override
  public boolean closesForwardsWithItself() {
    return true;
  }

  @Override
  public final List<Forward> openForwards() {
    return forwards.open();
  }

  @Override
  public String logTail() {
    return "";
  }

  @Override
  public final void suspend() {
    liveness.suspend();
  }

  @Override
  public final boolean serverEvidenceAvailable() {
    return server.logsLogins();
  }

  /** Closes every process, then every forward, then the connection. Idempotent. */
  @Override
  public final void close() {
    if (!state.close()) {
      return;
    }
    try {
      processes.closeAll();
      forwards.closeAll();
    } finally {
      closeConnection();
    }
  }

  @Override
  public String toString() {
    return engine() + " master to " + server.describe();
  }
}
