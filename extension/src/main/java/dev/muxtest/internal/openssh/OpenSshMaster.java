package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.AbstractEngineMaster;
import dev.muxtest.internal.engine.FileTransfer;
import dev.muxtest.internal.engine.ForwardOpener;
import dev.muxtest.internal.engine.OwnMasterEvidence;
import dev.muxtest.internal.engine.Poll;
import dev.muxtest.internal.engine.ServerCommands;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenSSH engine: the OpenSSH client's own master ({@code ssh -M} on a control socket in a
 * private directory), driven with {@code ssh -O check|forward|cancel|stop|exit}, or the user's own
 * master on its socket; which of the two is chosen once, when it connects ({@link MasterSource}).
 * Commands run as multiplexing clients of that master ({@code ssh -S}).
 */
public final class OpenSshMaster extends AbstractEngineMaster {

  /** How long after a process's close its server session may still be counted. */
  private static final Duration CLOSED_SESSION_LINGER = Duration.ofSeconds(2);

  private static final Duration RETRY_PAUSE = Duration.ofMillis(20);

  private final ControlMaster mode;
  private final Path directory;
  private final Path controlPath;
  private final MasterSource source;
  private final OpenSshForwards forwards;
  private volatile JvmAgentSocket agentSocket;
  private volatile MuxClient client;
  private volatile MasterLink process;

  private OpenSshMaster(ServerEndpoint server, ControlMaster mode, Settings settings) {
    super(server, settings);
    this.mode = mode;
    this.source = MasterSource.of(server);
    this.directory = ControlDirectory.create(settings.controlDirectory(), settings.sshExecutable());
    this.controlPath = source.controlPath(directory);
    this.forwards =
        new OpenSshForwards(
            () -> client,
            mode,
            directory,
            settings,
            server.describe(),
            new OpenSshForwards.MasterHooks(
                () -> !isClosed(),
                () -> process.endsWithItsOwner() && isClosingOrStopped(),
                this::openForwards,
                this::countConnection,
                this::forget));
  }

  /**
   * Writes the key, known_hosts and config into a new private directory and, unless {@code mode} is
   * NO, starts the master and waits until it is authenticated (or, for the user's own master, finds
   * it answering). With {@code forwardAgent}, an SSH agent of the test JVM serves a socket in the
   * private directory, which the master uses as its {@code IdentityAgent} and forwards ({@code
   * ForwardAgent yes}) for every session.
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
    MasterSource.Link link =
        source.prepare(
            new MasterSource.Setup(
                directory,
                controlPath,
                identity(),
                settings,
                mode,
                forwardAgent,
                this::forwardAgent,
                this::close));
    agentSocket = link.agentSocket();
    client = link.client();
    process = link.link();
    try {
      if (mode != ControlMaster.NO
          && process.start(mode, settings.connectTimeout(), server.describe())) {
        countConnection();
      }
    } catch (SshOperationException e) {
      throw JumpHostDiagnosis.explain(
          e, server, client, directory, settings.connectTimeout(), settings.maxOutput());
    }
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
  protected ForwardOpener forwardOpener() {
    return forwards;
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
  protected void onStopAccepting() {
    if (mode != ControlMaster.NO) {
      process.stopAccepting();
    }
  }

  /** A new master on the same control path; its forwards are added again on the same ports. */
  @Override
  protected void connectAgain() {
    process.restart(settings.connectTimeout(), server.describe());
    countConnection();
    reopenForwards(OpenSshForward.class, OpenSshForward::reopen);
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
    return process.lostConnectionMessage(server.describe(), settings.keepAliveInterval());
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
  protected RemoteProcess openProcess(
      String command, String shown, boolean terminal, Runnable ended) {
    RemoteProcess started =
        OpenSshProcess.start(
            client.process(command, terminal), terminal, shown, server.describe(), ended);
    if (mode == ControlMaster.NO) {
      countConnection();
    }
    return started;
  }

  @Override
  public Optional<OwnMasterEvidence> ownMasterEvidence() {
    return process.ownMasterEvidence(server, identity().getPublic());
  }

  /** The sftp program through the control socket (with ControlMaster NO: on its own connection). */
  @Override
  protected void transferFile(FileTransfer transfer, Duration left) {
    OpenSshFileTransfer.run(client, transfer, left, server.describe());
    if (mode == ControlMaster.NO) {
      countConnection();
    }
  }
}
