package dev.muxtest.internal.mina;

import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.AbstractEngineMaster;
import dev.muxtest.internal.engine.CommandText;
import dev.muxtest.internal.engine.FileTransfer;
import dev.muxtest.internal.engine.ForwardOpener;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.agent.local.LocalAgentFactory;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * The Apache MINA SSHD engine: one {@link ClientSession}, that is one TCP connection, carries every
 * command and forward of a test class as channels.
 */
public final class MinaMaster extends AbstractEngineMaster {

  private static final System.Logger LOG = System.getLogger(MinaMaster.class.getName());
  private static final String LOOPBACK = "127.0.0.1";
  private static final Duration CHANNEL_PROBE = Duration.ofSeconds(5);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final SshClient client;
  private final MinaForwards forwards;
  private volatile ClientSession session;

  private MinaMaster(ServerEndpoint server, Settings settings, boolean forwardAgent) {
    super(server, settings);
    LocalAgentFactory agents = forwardAgent ? BoundedAgentChannel.agentFactory() : null;
    if (agents != null) {
      forwardAgent(agents.getAgent());
    }
    this.client = MinaClients.hardened(settings, agents);
    this.forwards =
        new MinaForwards(this::session, settings.connectTimeout(), server.describe(), this::forget);
    client.addSessionListener(
        new SessionListener() {
          @Override
          public void sessionCreated(Session created) {
            if (!HopKeyVerifiers.isThroughForward(created)) {
              countConnection(); // one client session per TCP connection out of the JVM
            }
          }
        });
  }

  /**
   * Connects and authenticates a master to {@code server} with a key pair made for this master
   * alone, pinning the server's host key; with {@code forwardAgent}, the client holds an in-memory
   * SSH agent and every command's session forwards it to the server.
   *
   * @throws SshOperationException naming the server and the cause when it cannot
   */
  public static MinaMaster connect(ServerEndpoint server, Settings settings, boolean forwardAgent) {
    refuseCertificates(server);
    MinaMaster master = new MinaMaster(server, settings, forwardAgent);
    master.client.start();
    try {
      master.session = MinaSessions.open(master.client, server, master.identity(), settings);
      LOG.log(Level.DEBUG, "SSH master connected to {0}", server.describe());
      return master;
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
  }

  /** The connection, reopened first if it was lost and reconnecting is wanted. */
  private ClientSession session() {
    reconnectIfWanted();
    return session;
  }

  @Override
  public Engine engine() {
    return Engine.MINA;
  }

  @Override
  public boolean isConnected() {
    ClientSession current = session;
    return current != null && current.isOpen();
  }

  @Override
  protected ExecResult execInSession(
      String command, Map<String, String> environment, Duration timeout, Duration left) {
    long deadline = System.nanoTime() + left.toNanos();
    // Completed when the channel closes, or as soon as an output passes its limit.
    CompletableFuture<Void> ended = new CompletableFuture<>();
    BoundedOutput out = new BoundedOutput(settings.maxOutput(), () -> ended.complete(null));
    BoundedOutput err = new BoundedOutput(settings.maxOutput(), () -> ended.complete(null));
    // The connection as it is: exec has reconnected where wanted, a liveness check must not.
    try (ChannelExec channel = execChannel(command)) {
      environment.forEach(channel::setEnv);
      channel.setAgentForwarding(agent() != null);
      channel.setOut(out);
      channel.setErr(err);
      channel.addCloseFutureListener(closed -> ended.complete(null));
      try {
        channel.open().verify(left);
        // MINA's own waitFor ignores interrupts; this wait does not.
        ended.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        end(channel);
        throw new SshOperationException(
            "Command did not finish within "
                + timeout
                + " on "
                + server.describe()
                + ": "
                + CommandText.shorten(command));
      } catch (InterruptedException | InterruptedIOException e) {
        end(channel);
        Thread.currentThread().interrupt();
        throw new SshOperationException(
            "Interrupted while running a command on "
                + server.describe()
                + " (its session was ended): "
                + CommandText.shorten(command),
            e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("never completed exceptionally", e);
      }
      for (BoundedOutput output : List.of(out, err)) {
        if (output.exceeded()) {
          end(channel);
          throw new SshOperationException(
              String.format(
                  "Command wrote more than %d bytes to %s, the limit of %s; its session on %s was ended: %s",
                  settings.maxOutput(),
                  output == out ? "stdout" : "stderr",
                  Settings.EXEC_MAX_OUTPUT,
                  server.describe(),
                  CommandText.shorten(command)));
        }
      }
      Integer status = channel.getExitStatus();
      if (status == null) {
        // A lost connection, or a server that ended the session without saying how the command
        // ended: no number would be true, and -1 would read as the command's own.
        throw new SshOperationException(
            "Command on "
                + server.describe()
                + " did not finish: the channel closed without an exit status"
                + (isConnected() ? "" : " (the connection is lost)")
                + ": "
                + CommandText.shorten(command));
      }
      return new ExecResult(status, out.bytes(), err.bytes());
    } catch (IOException e) {
      throw new SshOperationException(
          "Command failed on "
              + server.describe()
              + ": "
              + CommandText.shorten(command)
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Ends a command that must not run on: kills its process group on the server (the {@code signal}
   * request, which OpenSSH's sshd honours), then closes the channel as SSH means it, so that the
   * server ends the session and frees it for the next command. MINA's immediate close sends nothing
   * to the server and would leave the command running in a session the server still counts.
   */
  private static void end(ChannelExec channel) {
    ExecChannels.end(channel, true, "a command");
  }

  /**
   * A new exec channel. A connection that is closing (lost a moment ago, between the caller's look
   * at {@link #isConnected()} and now) refuses to register one with an IllegalStateException: that
   * is a lost connection, said as such, so that {@code check()} answers false and {@code exec}
   * fails as on any lost connection.
   */
  private ChannelExec execChannel(String command) throws IOException {
    try {
      return session.createExecChannel(command);
    } catch (IllegalStateException closing) {
      throw new SshOperationException(lostConnectionMessage(), closing);
    }
  }

  @Override
  protected ForwardOpener forwardOpener() {
    return forwards;
  }

  /** The same direct-tcpip channel the forward opens for each connection, opened and closed. */
  @Override
  protected Optional<String> probeDestination(String host, int port) {
    ChannelDirectTcpip channel = null;
    try {
      channel =
          session()
              .createDirectTcpipChannel(
                  new SshdSocketAddress(LOOPBACK, 0), new SshdSocketAddress(host, port));
      channel.open().verify(CHANNEL_PROBE);
      // The open confirmation is the answer; the close is not waited for. When the destination
      // speaks first (an sshd's banner, a database's greeting), sshd's close can wait behind that
      // data for this side's delayed ACK, about 40 ms, which every class would pay.
      channel.close(false);
      return Optional.empty();
    } catch (IOException e) {
      if (channel != null) {
        channel.close(true);
      }
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  /**
   * Local and dynamic forwards keep their listeners and use the new connection; remote forwards are
   * asked for again.
   */
  @Override
  protected void connectAgain() {
    ClientSession reopened = MinaSessions.open(client, server, identity(), settings);
    session = reopened;
    // The server's listener of a remote forward ended with the old connection.
    reopenForwards(SessionBoundForward.class, bound -> bound.reopen(reopened));
  }

  @Override
  protected void disconnect() {
    session.close(false);
  }

  /** Closes the connection, then the client's threads. */
  @Override
  protected void closeConnection() {
    ClientSession current = session;
    try {
      if (current != null && !current.close(false).await(CLOSE_WAIT)) {
        current.close(true);
      }
    } catch (IOException e) {
      current.close(true);
    } finally {
      client.stop();
    }
  }

  /** An exec channel with MINA's inverted streams, opened within the connect timeout. */
  @Override
  protected RemoteProcess openProcess(
      String command, String shown, boolean terminal, Runnable ended) {
    return MinaProcess.start(
        session(),
        command,
        shown,
        terminal,
        agent() != null,
        settings.connectTimeout(),
        server.describe(),
        ended);
  }

  /**
   * MINA's client here logs in with the plain key only: a host that gives a CertificateFile would
   * otherwise be tried without it and fail obscurely, or pass where OpenSSH would present the
   * certificate. Refused, naming the engine that offers it.
   */
  private static void refuseCertificates(ServerEndpoint server) {
    for (ServerEndpoint hop = server; hop != null; hop = hop.jumpHost().orElse(null)) {
      ServerEndpoint endpoint = hop;
      hop.certificateFile()
          .ifPresent(
              certificate -> {
                throw new IllegalArgumentException(
                    endpoint.describe()
                        + ": the certificate file "
                        + certificate
                        + " (CertificateFile) is not supported by the MINA engine; use the OpenSSH"
                        + " engine (muxtest.engine=OPENSSH), which offers it");
              });
    }
  }

  /** An SFTP client on a channel of this master's session. */
  @Override
  protected void transferFile(FileTransfer transfer, Duration left) {
    MinaFileTransfer.run(session(), transfer, left);
  }
}
