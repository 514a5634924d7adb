package dev.muxtest.internal.mina;

import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.AbstractEngineMaster;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.agent.local.LocalAgentFactory;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
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
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final Duration CHANNEL_PROBE = Duration.ofSeconds(5);

  private final SshClient client;
  private final HostKeyPins pins = new HostKeyPins();
  private volatile ClientSession session;

  private MinaMaster(ServerEndpoint server, Settings settings, boolean forwardAgent) {
    super(server, settings);
    LocalAgentFactory agents = forwardAgent ? new LocalAgentFactory() : null;
    if (agents != null) {
      forwardAgent(agents.getAgent());
    }
    this.client = MinaClients.hardened(server, settings, pins, agents);
    client.addSessionListener(
        new SessionListener() {
          @Override
          public void sessionCreated(Session created) {
            if (!pins.isHop(created.getIoSession().getRemoteAddress())) {
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
    MinaMaster master = new MinaMaster(server, settings, forwardAgent);
    master.client.start();
    try {
      master.session =
          MinaSessions.open(master.client, server, master.identity(), settings, master.pins);
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
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + left.toNanos();
    try (ChannelExec channel = session().createExecChannel(command)) {
      environment.forEach(channel::setEnv);
      channel.setAgentForwarding(agent() != null);
      channel.setOut(out);
      channel.setErr(err);
      channel.open().verify(left);
      // At least 1 ms: MINA takes a zero wait as no limit at all.
      Duration rest = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
      Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), rest);
      if (events.contains(ClientChannelEvent.TIMEOUT)) {
        channel.close(true);
        throw new SshOperationException(
            "Command did not finish within "
                + timeout
                + " on "
                + server.describe()
                + ": "
                + command);
      }
      Integer status = channel.getExitStatus();
      return new ExecResult(
          status == null ? -1 : status,
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SshOperationException(
          "Command failed on " + server.describe() + ": " + command + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected Forward openLocal(int bindPort, String host, int port) {
    try {
      return StreamingLocalForward.open(
          this::session, bindPort, host, port, settings.connectTimeout(), this::forget);
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot open a local forward to "
              + host
              + ":"
              + port
              + " through "
              + server.describe()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  protected Forward openRemote(int remotePort, String host, int port) {
    try {
      return new MinaRemoteForward(
          session()
              .createRemotePortForwardingTracker(
                  new SshdSocketAddress(LOOPBACK, remotePort), new SshdSocketAddress(host, port)),
          this::forget);
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot open a remote forward from port "
              + remotePort
              + " on "
              + server.describe()
              + " to "
              + host
              + ":"
              + port
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  protected Forward openDynamic(int bindPort) {
    try {
      return new MinaDynamicForward(
          session().createDynamicPortForwardingTracker(new SshdSocketAddress(LOOPBACK, bindPort)),
          this::forget);
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot open a dynamic forward (SOCKS proxy) on 127.0.0.1:"
              + bindPort
              + " through "
              + server.describe()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The same direct-tcpip channel the forward opens for each connection, opened and closed. */
  @Override
  protected Optional<String> probeDestination(String host, int port) {
    try (ChannelDirectTcpip channel =
        session()
            .createDirectTcpipChannel(
                new SshdSocketAddress(LOOPBACK, 0), new SshdSocketAddress(host, port))) {
      channel.open().verify(CHANNEL_PROBE);
      channel.close(true);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  /**
   * Local forwards keep their listeners and use the new connection; the others are asked for again.
   */
  @Override
  protected void reconnect() {
    session = MinaSessions.open(client, server, identity(), settings, pins);
    for (Forward forward : openForwards()) {
      if (forward instanceof SessionBoundForward bound) {
        bound.reopen(session); // a dynamic forward's listener, too, ended with the old connection
      }
    }
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
}
