package dev.muxtest.internal;

import dev.muxtest.ConnectionReport;
import dev.muxtest.Forward;
import dev.muxtest.MuxAssertions;
import dev.muxtest.SshMaster;
import dev.muxtest.Scope;
import dev.muxtest.SshHost;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Everything one test class holds: its server (when the extension started it), its master (or the
 * enclosing class's, for a {@code @Nested} class that names no server) and its declared tunnels.
 *
 * <p>Each resource is registered for closing the moment it exists, so a setup that fails half way
 * still releases what it made. Closing releases them in reverse order: tunnels, master, server.
 */
public final class ClassMultiplex implements AutoCloseable {

  /** Label naming the test class on a server container that the extension started for it. */
  public static final String TEST_CLASS_LABEL = "dev.muxtest.testClass";

  private final Class<?> testClass;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final Map<String, Forward> tunnels = Collections.synchronizedMap(new LinkedHashMap<>());
  private volatile EngineMaster master;
  private volatile EngineChoice engineChoice;
  private volatile boolean ownsMaster;
  private volatile boolean sharesRunMaster;
  private volatile SshdContainer server;

  /** An empty multiplex for {@code testClass}; {@link #open} fills it. */
  public ClassMultiplex(Class<?> testClass) {
    this.testClass = testClass;
  }

  /**
   * Starts the server if needed, connects the master (or takes the enclosing one), and opens and
   * checks every tunnel.
   *
   * @throws SshOperationException naming the class and the step that failed
   */
  public void open(List<TunnelSpec> specs, Optional<SshdContainer> declaredServer,
      Optional<ClassMultiplex> enclosing, EngineChoice choice, Settings settings,
      Function<SharedMaster.Key, SharedMaster> suiteMasters) {
    engineChoice = choice;
    if (declaredServer.isEmpty() && enclosing.isPresent()) {
      master = enclosing.get().master;
      sharesRunMaster = enclosing.get().sharesRunMaster;
      server = enclosing.get().server;
    } else if (choice.scope() == Scope.SUITE) {
      SharedMaster shared = suiteMasters.apply(SharedMaster.Key.of(choice, declaredServer));
      register(shared.use());
      master = shared.master();
      server = shared.server();
      sharesRunMaster = true;
    } else {
      ServerResources resources = new ServerResources(declaredServer.orElseGet(() -> defaultServer(settings)));
      server = resources.container();
      register(resources);
      resources.start(testClass.getName());
      connect(new ContainerEndpoint(server), choice, settings);
    }
    for (TunnelSpec spec : specs) {
      openTunnel(spec, settings);
    }
  }

  /**
   * Connects the master to a server outside the test, and opens and checks every tunnel.
   *
   * @throws SshOperationException naming the class and the step that failed
   */
  public void openOn(SshHost host, List<TunnelSpec> specs, EngineChoice choice, Settings settings) {
    engineChoice = choice;
    connect(new HostEndpoint(host), choice, settings);
    for (TunnelSpec spec : specs) {
      openTunnel(spec, settings);
    }
  }

  private void connect(ServerEndpoint endpoint, EngineChoice choice, Settings settings) {
    EngineMaster connected = ServerResources.connect(endpoint, choice, settings);
    register(connected);
    master = connected;
    ownsMaster = true;
  }

  /** Whether the server's side of this class's proof is there (false for a server outside the test without a log). */
  public boolean serverEvidenceAvailable() {
    return master == null || master.serverEvidenceAvailable();
  }

  /** Fails with a readable assertion error unless the client opened exactly one TCP connection. */
  public static void verifySingleClientConnection(Class<?> testClass, ConnectionReport report) {
    org.assertj.core.api.Assertions.assertThat(report.clientTcpConnections())
        .as("muxtest: SSH master of %s: TCP connections opened by the client (the server's log is not available)",
            testClass.getName())
        .isEqualTo(1);
  }

  private SshdContainer defaultServer(Settings settings) {
    // Names the owner in `docker ps`, and lets a leak be traced to its class.
    return ServerResources.defaultServer(settings).withLabel(TEST_CLASS_LABEL, testClass.getName());
  }

  private void openTunnel(TunnelSpec spec, Settings settings) {
    try {
      Tunnels.open(master, spec, settings.tunnelReadyTimeout(), forward -> {
        register(forward);
        tunnels.put(spec.name(), forward);
      });
    } catch (SshOperationException e) {
      throw new SshOperationException(String.format(
          "muxtest: tunnel \"%s\" of %s (%s) is not usable: %s",
          spec.name(), testClass.getName(), spec.describe(), e.getMessage()), e);
    }
  }

  private synchronized void register(AutoCloseable resource) {
    resources.push(resource);
  }

  /** The tunnel of this class with that name. */
  public Optional<Forward> tunnel(String name) {
    return Optional.ofNullable(tunnels.get(name));
  }

  /** Names of this class's own tunnels, in declaration order. */
  public Set<String> tunnelNames() {
    synchronized (tunnels) {
      return Set.copyOf(tunnels.keySet());
    }
  }

  /** The engine and mode this class resolved; enclosed classes inherit it. */
  public Optional<EngineChoice> engineChoice() {
    return Optional.ofNullable(engineChoice);
  }

  /** The master of this class, once open. */
  public Optional<SshMaster> master() {
    return Optional.ofNullable(master);
  }

  /** The master of this class, once open, with what the extension needs of it. */
  public Optional<EngineMaster> engineMaster() {
    return Optional.ofNullable(master);
  }

  /**
   * The connection report to prove: of the master this class owns, or of the run's shared master
   * (covering the run so far); empty when it borrows an enclosing class's master of CLASS scope
   * or never connected one.
   */
  public Optional<ConnectionReport> ownConnectionReport() {
    return (ownsMaster || sharesRunMaster) && master != null ? Optional.of(master.connectionReport()) : Optional.empty();
  }

  /**
   * What a person needs to see why a test failed: connection counts, open forwards, the end of the
   * sshd's log and of the master's own log. Keys are report-entry keys.
   */
  public Map<String, String> diagnostics() {
    Map<String, String> entries = new LinkedHashMap<>();
    EngineMaster current = master;
    if (current != null) {
      entries.put("muxtest.connections", String.format("client TCP connections: %d (%s engine)",
          current.tcpConnectionsOpened(), current.engine()));
      List<Forward> forwards = current.openForwards();
      entries.put("muxtest.forwards", forwards.isEmpty() ? "none" : forwards.toString());
      String masterLog = current.logTail();
      if (!masterLog.isEmpty()) {
        entries.put("muxtest.master.log", masterLog);
      }
    }
    SshdContainer container = server;
    if (container != null) {
      List<String> log = container.recentLog();
      if (!log.isEmpty()) {
        entries.put("muxtest.sshd.log", String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size())));
      }
    }
    return entries;
  }

  /**
   * Fails with a readable assertion error unless client and server each saw exactly one
   * connection of this class's own master.
   */
  public static void verifySingleConnection(Class<?> testClass, ConnectionReport report) {
    MuxAssertions.assertThat(report)
        .as("muxtest: SSH master of %s", testClass.getName())
        .isSingleConnection();
  }

  /** Closes tunnels, master and server (if started here), newest first; the first failure is thrown. */
  @Override
  public void close() {
    RuntimeException failure = null;
    while (true) {
      AutoCloseable next;
      synchronized (this) {
        next = resources.poll();
      }
      if (next == null) {
        break;
      }
      try {
        next.close();
      } catch (Exception e) {
        RuntimeException unchecked = e instanceof RuntimeException r ? r
            : new IllegalStateException("muxtest: closing " + next + " of " + testClass.getName() + " failed", e);
        if (failure == null) {
          failure = unchecked;
        } else {
          failure.addSuppressed(unchecked);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
