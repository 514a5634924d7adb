package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.AbstractEngineMaster;
import dev.muxtest.internal.engine.FileTransfer;
import dev.muxtest.internal.engine.OwnMasterEndpoint;
import dev.muxtest.internal.engine.OwnMasterEvidence;
import dev.muxtest.internal.engine.Poll;
import dev.muxtest.internal.engine.ServerCommands;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.agent.local.LocalAgentFactory;

/**
 * The OpenSSH engine: the OpenSSH client's own master ({@code ssh -M} on a control socket in a
 * private directory), driven with {@code ssh -O check|forward|cancel|stop|exit}. Commands run as
 * multiplexing clients of that master ({@code ssh -S}).
 */
public final class OpenSshMaster extends AbstractEngineMaster {

  /** How long after a process's close its server session may still be counted. */
  private static final Duration CLOSED_SESSION_LINGER = Duration.ofSeconds(2);

  private static final Duration RETRY_PAUSE = Duration.ofMillis(20);

  /** The agent socket's name: as short as the control socket's, so it fits wherever that fits. */
  private static final String AGENT_SOCKET = "agt";

  private final ControlMaster mode;
  private final Path directory;
  private final Path controlPath;
  private volatile JvmAgentSocket agentSocket;
  private volatile MuxClient client;
  private volatile MasterLink process;

  private OpenSshMaster(ServerEndpoint server, ControlMaster mode, Settings settings) {
    super(server, settings);
    this.mode = mode;
    this.directory = ControlDirectory.create(settings.controlDirectory(), settings.sshExecutable());
    this.controlPath =
        server instanceof OwnMasterEndpoint own
            ? own.controlSocket()
            : directory.resolve(ControlDirectory.SOCKET);
  }

  /**
   * Writes the key, known_hosts and config into a new private directory and, unless {@code mode} is
   * NO, starts the master and waits until it is authenticated. With {@code forwardAgent}, an SSH
   * agent of the test JVM serves a socket in the private directory, which the master uses as its
   * {@code IdentityAgent} and forwards ({@code ForwardAgent yes}) for every session.
   *
   * @throws SshOperationException naming the server and the master's own log when it cannot
   */
  public static OpenSshMaster connect(
      ServerEndpoint server, ControlMaster mode, Settings settings, boolean forwardAgent) {
    OpenSshMaster master = new OpenSshMaster(server, mode, settings);
    try {
      master.start(forwardAgent);
      return master;
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
  }

  private void start(boolean forwardAgent) {
    if (server instanceof OwnMasterEndpoint own) {
      startOnOwnMaster(own, forwardAgent);
      return;
    }
    if (forwardAgent) {
      LocalAgentFactory agents = new LocalAgentFactory();
      forwardAgent(agents.getAgent());
      agentSocket = JvmAgentSocket.serve(agents.getAgent(), directory.resolve(AGENT_SOCKET));
    }
    Path config =
        OpenSshConfig.write(
            directory,
            server,
            identity(),
            settings,
            controlPath,
            Optional.ofNullable(agentSocket).map(JvmAgentSocket::path));
    client =
        new MuxClient(
            settings.sshExecutable(),
            config,
            directory,
            mode,
            settings.connectTimeout(),
            settings.maxOutput());
    process = new MasterProcess(client, controlPath, directory.resolve("master.log"), this::close);
    try {
      if (mode != ControlMaster.NO
          && process.start(mode, settings.connectTimeout(), server.describe())) {
        countConnection();
      }
    } catch (SshOperationException e) {
      throw server.jumpHost().isEmpty() ? e : withJumpHostsWords(e);
    }
  }

  /**
   * The master's ProxyJump ssh writes its errors nowhere once the master goes to the background: a
   * failed start behind jump hosts says only that the connection closed. One plain connection to
   * each jump host alone, from the first hop on, gives the reason of the first that fails (a
   * refused host key, a refused login); when every hop answers, the master's own message is about
   * the server itself.
   */
  private SshOperationException withJumpHostsWords(SshOperationException failure) {
    List<ServerEndpoint> jumps = OpenSshConfig.jumpHosts(server);
    for (int hop = 1; hop <= jumps.size(); hop++) {
      try {
        SshCommand.Result jump =
            SshCommand.run(
                client.ssh(
                    List.of(
                        "-o",
                        "ControlMaster=no",
                        "-o",
                        "ControlPath=none",
                        "--",
                        OpenSshConfig.jumpAlias(hop),
                        "true")),
                Map.of(),
                directory,
                settings.connectTimeout().multipliedBy(hop).plusSeconds(5),
                settings.maxOutput());
        if (jump.exitCode() == 0) {
          continue;
        }
        if (jump.stderr().isBlank()) {
          return failure;
        }
        return new SshOperationException(
            failure.getMessage()
                + "\nthe jump host "
                + jumps.get(hop - 1).describe()
                + " alone: "
                + jump.stderr().strip(),
            failure);
      } catch (SshOperationException diagnosisFailed) {
        failure.addSuppressed(diagnosisFailed);
        return failure;
      }
    }
    return failure;
  }

  @Override
  public Engine engine() {
    return Engine.OPENSSH;
  }

  /** With ControlMaster NO there is no master: each command connects on its own. */
  @Override
  public boolean isConnected() {
    MasterLink current = process;
    return mode == ControlMaster.NO || current != null && current.alive();
  }

  @Override
  protected boolean controlAnswers() {
    return mode == ControlMaster.NO || process.answersCheck();
  }

  @Override
  protected ExecResult execInSession(
      String command, Map<String, String> environment, Duration timeout, Duration left) {
    long deadline = System.nanoTime() + left.toNanos();
    while (true) {
      Duration rest = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
      try {
        ExecResult result = client.exec(command, environment, timeout, rest, server.describe());
        if (mode == ControlMaster.NO) {
          countConnection();
        }
        return result;
      } catch (MuxClient.SessionRefused refused) {
        // A process closed a moment ago ended its client, not yet its server session: sshd may
        // count it for a few milliseconds more. Only then is a refusal waited out; a master at its
        // limit with live sessions fails at once, as it should.
        if (!aProcessClosedWithin(CLOSED_SESSION_LINGER)
            || deadline - System.nanoTime() < RETRY_PAUSE.toNanos()) {
          throw refused;
        }
        Poll.sleep(RETRY_PAUSE);
      }
    }
  }

  @Override
  protected Forward openLocal(int bindPort, String host, int port) {
    return LoopbackPorts.onLoopbackPort(
        bindPort,
        "a local forward to " + host + ":" + port + " through " + server.describe(),
        localPort -> add(new OpenSshForward.Request(ForwardType.LOCAL, localPort, host, port)));
  }

  @Override
  protected Forward openDynamic(int bindPort) {
    return LoopbackPorts.onLoopbackPort(
        bindPort,
        "a dynamic forward (SOCKS proxy) through " + server.describe(),
        localPort -> add(new OpenSshForward.Request(ForwardType.DYNAMIC, localPort, "", 0)));
  }

  @Override
  protected Forward openRemote(int remotePort, String host, int port) {
    boolean anotherOnAnyPort =
        openForwards().stream()
            .anyMatch(f -> f instanceof OpenSshForward o && o.isRemoteOnAnyPortTo(host, port));
    if (remotePort == 0 && mode != ControlMaster.NO && anotherOnAnyPort) {
      // OpenSSH cancels a port-0 remote forward by the spec as requested, which would then match
      // the
      // first of the two: ask for a port of our own choosing, so that each can be cancelled alone.
      return LoopbackPorts.onServerPortOfOurChoosing(
          "a remote forward to " + host + ":" + port + " through " + server.describe(),
          serverPort ->
              add(new OpenSshForward.Request(ForwardType.REMOTE, serverPort, host, port)));
    }
    return add(new OpenSshForward.Request(ForwardType.REMOTE, remotePort, host, port));
  }

  private OpenSshForward add(OpenSshForward.Request request) {
    return mode == ControlMaster.NO
        ? OpenSshForward.ownConnection(
            client,
            request,
            directory,
            settings.connectTimeout(),
            server.describe(),
            this::countConnection,
            this::forget)
        : OpenSshForward.overMaster(
            client,
            request,
            server.describe(),
            () -> !isClosed(),
            () -> process.endsWithItsOwner() && isClosingOrStopped(),
            this::forget);
  }

  /**
   * From the server's side, as the forward will connect: bash's /dev/tcp opens a TCP connection.
   * Any host is probed: the command quotes it.
   */
  @Override
  protected Optional<String> probeDestination(String host, int port) {
    ExecResult result = exec(ServerCommands.tcpConnect(host, port), PROBE_ATTEMPT);
    return result.exitCode() == 0 ? Optional.empty() : Optional.of(result.stderr().strip());
  }

  @Override
  protected void onStop() {
    if (mode != ControlMaster.NO) {
      process.stopAccepting();
    }
  }

  /** A new master on the same control path; its forwards are added again on the same ports. */
  @Override
  protected void reconnect() {
    process.restart(settings.connectTimeout(), server.describe());
    countConnection();
    for (Forward forward : openForwards()) {
      if (forward instanceof OpenSshForward openSsh) {
        openSsh.reopen();
      }
    }
  }

  @Override
  protected void disconnect() {
    // The user's own master is not ours to disconnect: suspending leaves it as it is.
    if (mode != ControlMaster.NO && process.endsWithItsOwner()) {
      process.exit(true);
    }
  }

  /**
   * Ends the master with {@code -O exit} (after {@code -O stop} it is ending already), waits for
   * its process, and removes the private directory with the control socket and key.
   */
  @Override
  protected void closeConnection() {
    try {
      if (process != null) {
        process.exit(!isStopped());
      }
    } finally {
      if (agentSocket != null) {
        agentSocket.close();
      }
      ControlDirectory.delete(directory);
    }
  }

  @Override
  protected String lostConnectionMessage() {
    if (process instanceof BorrowedMaster) {
      return server.describe()
          + " no longer answers: muxtest never opens a master of its own for it; open it again"
          + " (ssh -M -S "
          + controlPath
          + " -f -N user@host)";
    }
    return "The OpenSSH master to "
        + server.describe()
        + " has exited: its connection was lost (keep-alive every "
        + settings.keepAliveInterval()
        + ", 2 unanswered end it)"
        + process.logTail();
  }

  @Override
  public Optional<Path> controlPath() {
    return mode == ControlMaster.NO ? Optional.empty() : Optional.of(controlPath);
  }

  @Override
  public String logTail() {
    MasterLink current = process;
    return current == null ? "" : current.logTail().strip();
  }

  /**
   * {@code ssh -S} as a multiplexing client of the master (its own connection with ControlMaster
   * NO), its streams the OS's pipes.
   */
  @Override
  protected RemoteProcess openProcess(String command, boolean terminal, Runnable ended) {
    RemoteProcess started =
        OpenSshProcess.start(
            client.process(command, terminal), terminal, command, server.describe(), ended);
    if (mode == ControlMaster.NO) {
      countConnection();
    }
    return started;
  }

  // The user's own master (SshHost.ofControlSocket): one contiguous block.

  /**
   * Rides the user's own master: no key, no known_hosts, no master of its own; a config that makes
   * every ssh run a multiplexing client of the user's socket, and the master found answering there.
   */
  private void startOnOwnMaster(OwnMasterEndpoint own, boolean forwardAgent) {
    if (mode == ControlMaster.NO) {
      throw new SshOperationException(
          "ControlMaster.NO opens a connection per command, which "
              + own.describe()
              + " never does: use ControlMaster.AUTO or YES");
    }
    if (forwardAgent) {
      throw new SshOperationException(
          "Agent forwarding is set when a master starts, and "
              + own.describe()
              + " was started by the user: forward the agent there (ssh -M -A ...) instead");
    }
    Path config =
        OpenSshConfig.writeOwnMaster(directory, controlPath, OwnMasterEndpoint.UNREACHABLE_HOST);
    client =
        new MuxClient(
            settings.sshExecutable(),
            config,
            directory,
            mode,
            settings.connectTimeout(),
            settings.maxOutput());
    process = new BorrowedMaster(client, controlPath, this::close);
    process.start(mode, settings.connectTimeout(), server.describe());
  }

  @Override
  public Optional<OwnMasterEvidence> ownMasterEvidence() {
    return process instanceof BorrowedMaster borrowed
        ? Optional.of(
            borrowed.evidence(server.acceptedLogins(identity().getPublic()), server.logsLogins()))
        : Optional.empty();
  }

  // --- Tunnels to UNIX-domain sockets on the server ---------------------------------------------

  /** {@code -O forward -L 127.0.0.1:PORT:/path} on a picked free port, as a TCP local forward. */
  @Override
  protected Forward openLocalSocket(int bindPort, String path) {
    return LoopbackPorts.onLoopbackPort(
        bindPort,
        "a local forward to the UNIX socket " + path + " through " + server.describe(),
        localPort ->
            add(
                OpenSshForward.Request.toSocket(
                    localPort,
                    path,
                    // Only a path with a '%' reads differently to an older ssh: asked only then.
                    path.indexOf('%') < 0
                        || ForwardPathExpansion.expandsPercent(
                            settings.sshExecutable(), directory))));
  }

  // --- Files (issue 12): upload and download over the master ---

  /** The sftp program through the control socket (with ControlMaster NO: on its own connection). */
  @Override
  protected void transferFile(FileTransfer transfer, Duration left) {
    OpenSshFileTransfer.run(client, transfer, left, server.describe());
    if (mode == ControlMaster.NO) {
      countConnection();
    }
  }
}
