package dev.muxtest.internal;

import dev.muxtest.ConnectionReport;
import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.local.LocalAgentFactory;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * The Apache MINA SSHD engine: one {@link ClientSession}, that is one TCP connection, carries
 * every command and forward of a test class as channels.
 */
public final class MinaMaster implements EngineMaster {

  private static final System.Logger LOG = System.getLogger(MinaMaster.class.getName());
  private static final String LOOPBACK = "127.0.0.1";
  private static final List<String> FAST_CIPHERS = List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com");
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final Duration PROBE_ATTEMPT = Duration.ofSeconds(5);
  private static final Duration PROBE_PAUSE = Duration.ofMillis(100);
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

  private final SshClient client;
  private volatile ClientSession session;
  private final KeyPair identity;
  private final ServerEndpoint server;
  private final Settings settings;
  private final AtomicLong connectionsOpened;
  private final Set<Forward> forwards = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicBoolean suspended = new AtomicBoolean();
  private final SessionBudget sessions;
  private final HostKeyPins pins;
  /** The agent forwarded to the server, when agent forwarding is on. */
  private volatile SshAgent agent;

  private MinaMaster(SshClient client, ClientSession session, KeyPair identity, ServerEndpoint server,
      Settings settings, AtomicLong connectionsOpened, HostKeyPins pins) {
    this.pins = pins;
    this.client = client;
    this.session = session;
    this.identity = identity;
    this.server = server;
    this.settings = settings;
    this.connectionsOpened = connectionsOpened;
    this.sessions = SessionBudget.of(settings, server);
  }

  /**
   * Connects and authenticates a master to {@code server} with a key pair made for this master
   * alone, pinning the server's host key.
   *
   * @throws SshOperationException naming the server and the cause when it cannot
   */
  public static MinaMaster connect(ServerEndpoint server, Settings settings) {
    return connect(server, settings, false);
  }

  /**
   * As {@link #connect(ServerEndpoint, Settings)}; with {@code forwardAgent}, the client holds an
   * in-memory SSH agent and every command's session forwards it to the server.
   */
  public static MinaMaster connect(ServerEndpoint server, Settings settings, boolean forwardAgent) {
    KeyPair identity = server.identityFile().map(KeyMaterial::load).orElseGet(KeyMaterial::generate);
    server.authorize(identity.getPublic());

    SshClient client = SshClient.setUpDefaultClient();
    HostKeyPins pins = new HostKeyPins();
    client.setServerKeyVerifier(server.knownHostsFile().isPresent()
        // Unknown hosts and changed keys are both refused: RejectAll decides either way.
        ? new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, server.knownHostsFile().get())
        : server.jumpHost().isPresent() ? pins : new RequiredServerKeyVerifier(server.hostKey()));
    // The user's ~/.ssh (config, keys) must not change what a test does.
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setForwardingFilter(LoopbackForwardingFilter.INSTANCE);
    SshAgent agent = null;
    if (forwardAgent) {
      LocalAgentFactory agents = new LocalAgentFactory();
      client.setAgentFactory(agents);
      agent = agents.getAgent();
    }
    // Small request/response packets (commands, first bytes through a forward) must not wait for Nagle.
    CoreModuleProperties.TCP_NODELAY.set(client, Boolean.TRUE);
    // AES-GCM runs on the CPU's AES instructions through the JDK; MINA's chacha20-poly1305 (the
    // default first choice) is computed in plain Java at about half the speed. Offered first, so
    // the server picks it; the rest of the default list follows unchanged.
    List<NamedFactory<Cipher>> ciphers = new ArrayList<>(client.getCipherFactories());
    ciphers.sort(Comparator.comparingInt(cipher -> {
      int rank = FAST_CIPHERS.indexOf(cipher.getName());
      return rank < 0 ? FAST_CIPHERS.size() : rank;
    }));
    client.setCipherFactories(ciphers);
    // Keep-alive requests that want a reply, as OpenSSH's ServerAliveInterval/CountMax: a dead
    // server is noticed after NO_REPLY_MAX unanswered intervals, and the replies (incoming
    // traffic) keep an idle master clear of MINA's 10-minute idle timeout.
    CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, settings.keepAliveInterval());
    CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 2);
    AtomicLong connections = new AtomicLong();
    client.addSessionListener(new SessionListener() {
      @Override
      public void sessionCreated(Session session) {
        if (!pins.isHop(session.getIoSession().getRemoteAddress())) {
          connections.incrementAndGet(); // one client session per TCP connection out of the JVM
        }
      }
    });
    client.start();
    try {
      ClientSession session = openSession(client, server, identity, settings, pins);
      LOG.log(Level.DEBUG, "SSH master connected to {0}", server.describe());
      MinaMaster master = new MinaMaster(client, session, identity, server, settings, connections, pins);
      master.agent = agent;
      return master;
    } catch (SshOperationException e) {
      client.stop();
      throw e;
    }
  }

  /**
   * One TCP connection, authenticated with the master's key; behind a jump host, the connection to
   * the jump host, and over a forward through it the session with the server.
   */
  private static ClientSession openSession(SshClient client, ServerEndpoint server, KeyPair identity,
      Settings settings, HostKeyPins pins) {
    if (server.jumpHost().isEmpty()) {
      return openSession(client, server.user(), server.host(), server.port(), server, identity, settings);
    }
    ServerEndpoint jump = server.jumpHost().get();
    pins.pin(isLoopback(jump.host()), jump.port(), jump.hostKey());
    ClientSession first = openSession(client, jump, identity, settings, pins);
    try {
      // MINA's own forwarder: SSH traffic of one session, needing none of the streaming forward's care.
      ExplicitPortForwardingTracker hop = first.createLocalPortForwardingTracker(
          new SshdSocketAddress(LOOPBACK, 0), new SshdSocketAddress(server.host(), server.port()));
      pins.pinHop(hop.getBoundAddress().getPort(), server.hostKey());
      ClientSession session =
          openSession(client, server.user(), LOOPBACK, hop.getBoundAddress().getPort(), server, identity, settings);
      // The first hop lives as long as the session through it.
      session.addCloseFutureListener(closed -> first.close(true));
      return session;
    } catch (IOException | RuntimeException e) {
      first.close(true);
      throw e instanceof SshOperationException s ? s : new SshOperationException(
          "Cannot connect the SSH master to " + server.describe() + ": " + e.getMessage(), e);
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      throw new SshOperationException("Cannot resolve the jump host " + host + ": " + e.getMessage(), e);
    }
  }

  private static ClientSession openSession(SshClient client, String user, String host, int port,
      ServerEndpoint server, KeyPair identity, Settings settings) {
    ClientSession session = null;
    try {
      session = client.connect(user, host, port)
          .verify(settings.connectTimeout())
          .getSession();
      session.addPublicKeyIdentity(identity);
      session.auth().verify(settings.connectTimeout());
      return session;
    } catch (IOException | RuntimeException e) {
      if (session != null) {
        session.close(true);
      }
      throw new SshOperationException(
          "Cannot connect the SSH master to " + server.describe() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The connection, reopened first if it was lost and reconnecting is on. A reconnect is a new
   * TCP connection: the count says so, and so does the end-of-class proof.
   */
  private ClientSession session() {
    ClientSession current = session;
    if (current.isOpen() || !(settings.reconnect() || suspended.get()) || closed.get()) {
      return current;
    }
    synchronized (this) {
      if (!session.isOpen()) {
        LOG.log(Level.INFO, "SSH master to {0} lost its connection; reconnecting", server.describe());
        session = openSession(client, server, identity, settings, pins);
        suspended.set(false);
        for (Forward forward : List.copyOf(forwards)) {
          if (forward instanceof MinaRemoteForward remote) {
            remote.reopen(session); // local forwards keep their listeners and use the new connection
          } else if (forward instanceof MinaDynamicForward dynamic) {
            dynamic.reopen(session); // its listener ended with the old connection
          }
        }
      }
      return session;
    }
  }

  @Override
  public ExecResult exec(String command) {
    return exec(command, settings.execTimeout());
  }

  @Override
  public ExecResult exec(String command, Map<String, String> environment) {
    return exec(command, environment, settings.execTimeout());
  }

  @Override
  public ExecResult exec(String command, Duration timeout) {
    return exec(command, Map.of(), timeout);
  }

  private ExecResult exec(String command, Map<String, String> environment, Duration timeout) {
    ensureAccepting();
    return sessions.run(timeout, command, left -> execInSession(command, environment, timeout, left));
  }

  private ExecResult execInSession(String command, Map<String, String> environment, Duration timeout,
      Duration left) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + left.toNanos();
    try (ChannelExec channel = session().createExecChannel(command)) {
      environment.forEach(channel::setEnv);
      channel.setAgentForwarding(agent != null);
      channel.setOut(out);
      channel.setErr(err);
      channel.open().verify(left);
      // At least 1 ms: MINA takes a zero wait as no limit at all.
      Duration rest = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
      Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), rest);
      if (events.contains(ClientChannelEvent.TIMEOUT)) {
        channel.close(true);
        throw new SshOperationException(
            "Command did not finish within " + timeout + " on " + server.describe() + ": " + command);
      }
      Integer status = channel.getExitStatus();
      return new ExecResult(status == null ? -1 : status,
          out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SshOperationException(
          "Command failed on " + server.describe() + ": " + command + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Engine engine() {
    return Engine.MINA;
  }

  @Override
  public Forward forwardLocal(int bindPort, String host, int port) {
    ensureAccepting();
    try {
      Forward forward = StreamingLocalForward.open(
          this::session, bindPort, host, port, settings.connectTimeout(), forwards::remove);
      forwards.add(forward);
      return forward;
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot open a local forward to " + host + ":" + port + " through " + server.describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Forward forwardRemote(int remotePort, String host, int port) {
    ensureAccepting();
    try {
      Forward forward = new MinaRemoteForward(
          session().createRemotePortForwardingTracker(
              new SshdSocketAddress(LOOPBACK, remotePort), new SshdSocketAddress(host, port)),
          forwards::remove);
      forwards.add(forward);
      return forward;
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot open a remote forward from port " + remotePort + " on " + server.describe() + " to " + host + ":" + port
              + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Forward forwardDynamic(int bindPort) {
    ensureAccepting();
    try {
      Forward forward = new MinaDynamicForward(
          session().createDynamicPortForwardingTracker(new SshdSocketAddress(LOOPBACK, bindPort)), forwards::remove);
      forwards.add(forward);
      return forward;
    } catch (IOException e) {
      throw new SshOperationException("Cannot open a dynamic forward (SOCKS proxy) on 127.0.0.1:" + bindPort
          + " through " + server.describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void addAgentKey(KeyPair key) {
    AgentKeys.add(agent, key, server);
  }

  @Override
  public boolean check() {
    if (closed.get() || !session().isOpen()) {
      return false;
    }
    return answersRoundTrip(CHECK_TIMEOUT);
  }

  @Override
  public void stop() {
    stopped.set(true);
  }

  /** Whether the connection is open now (it may be suspended or lost). */
  public boolean isConnected() {
    return session.isOpen();
  }

  @Override
  public synchronized void suspend() {
    if (!closed.get() && session.isOpen()) {
      suspended.set(true);
      session.close(false);
    }
  }

  @Override
  public Optional<Path> controlPath() {
    return Optional.empty();
  }

  /**
   * Waits until {@code forward} works: for a local forward, its destination accepts a connection
   * opened by the server (the same direct-tcpip channel the forward opens per connection) and its
   * local listener accepts a TCP connection; for a remote forward, its server-side listener
   * accepts; for a dynamic one, its local listener accepts.
   *
   * @throws SshOperationException if that does not happen within {@code timeout}
   */
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
    SshdSocketAddress destination = new SshdSocketAddress(forward.destinationHost(), forward.destinationPort());
    IOException last;
    while (true) {
      try (ChannelDirectTcpip channel =
          session().createDirectTcpipChannel(new SshdSocketAddress(LOOPBACK, 0), destination)) {
        channel.open().verify(PROBE_ATTEMPT);
        channel.close(true);
        break;
      } catch (IOException e) {
        last = e;
      }
      if (System.nanoTime() >= deadline) {
        throw new SshOperationException(String.format(
            "Destination %s:%d did not accept a connection from %s within %s: %s",
            forward.destinationHost(), forward.destinationPort(), server.describe(), timeout, last.getMessage()), last);
      }
      pause();
    }
    ForwardProbes.awaitLocalListener(forward);
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
  public boolean serverEvidenceAvailable() {
    return server.logsLogins();
  }

  /** The server this master is connected to. */
  public ServerEndpoint server() {
    return server;
  }

  @Override
  public List<Forward> openForwards() {
    return List.copyOf(forwards);
  }

  /** Closes every forward, then the connection, then the client's threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List.copyOf(forwards).forEach(Forward::close);
    try {
      if (!session.close(false).await(CLOSE_WAIT)) {
        session.close(true);
      }
    } catch (IOException e) {
      session.close(true);
    } finally {
      client.stop();
    }
  }

  private void ensureAccepting() {
    if (stopped.get() && !closed.get()) {
      throw new SshOperationException(
          "The SSH master to " + server.describe() + " is stopped: it refuses new sessions and forwards");
    }
    ensureOpen();
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new SshOperationException("The SSH master to " + server.describe() + " is closed");
    }
    if (!session().isOpen()) {
      throw new SshOperationException("The SSH master's connection to " + server.describe()
          + " is lost (keep-alive every " + settings.keepAliveInterval() + ", 2 unanswered end it)");
    }
  }

  private static void pause() {
    try {
      Thread.sleep(PROBE_PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshOperationException("Interrupted while waiting", e);
    }
  }
}
