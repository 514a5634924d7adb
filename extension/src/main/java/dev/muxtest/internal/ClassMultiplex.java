package dev.muxtest.internal;

import dev.muxtest.ConnectionReport;
import dev.muxtest.Forward;
import dev.muxtest.MuxAssertions;
import dev.muxtest.SshMaster;
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

  private static final int MAX_CAUSE_LENGTH = 300;

  private final Class<?> testClass;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final Map<String, Forward> tunnels = Collections.synchronizedMap(new LinkedHashMap<>());
  private volatile EngineMaster master;
  private volatile EngineChoice engineChoice;
  private volatile boolean ownsMaster;

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
      Optional<ClassMultiplex> enclosing, EngineChoice choice, Settings settings) {
    engineChoice = choice;
    if (declaredServer.isEmpty() && enclosing.isPresent()) {
      master = enclosing.get().master;
      ownsMaster = false;
    } else {
      SshdContainer server = declaredServer.orElseGet(() -> defaultServer(settings));
      if (!server.isRunning()) {
        register(server::stop);
        startServer(server);
      }
      ServerEndpoint endpoint = new ContainerEndpoint(server);
      EngineMaster connected = switch (choice.engine()) {
        case OPENSSH -> OpenSshMaster.connect(endpoint, choice.controlMaster(), settings);
        default -> MinaMaster.connect(endpoint, settings);
      };
      register(connected);
      master = connected;
      ownsMaster = true;
    }
    for (TunnelSpec spec : specs) {
      openTunnel(spec, settings);
    }
  }

  private SshdContainer defaultServer(Settings settings) {
    SshdContainer server = settings.baseImage().map(SshdContainer::new).orElseGet(SshdContainer::new);
    // Names the owner in `docker ps`, and lets a leak be traced to its class.
    return server.withLabel(TEST_CLASS_LABEL, testClass.getName());
  }

  private void startServer(SshdContainer server) {
    try {
      server.start();
    } catch (RuntimeException e) {
      throw new SshOperationException(
          "muxtest: cannot start the SSH server container for " + testClass.getName() + ": " + causes(e)
              + logTail(server), e);
    }
  }

  /**
   * Every distinct message of the chain, each cut short: Testcontainers' outer messages alone
   * rarely name the cause, and some inner ones carry a whole container description.
   */
  private static String causes(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && text.indexOf(message) < 0) {
        String shortened = message.length() > MAX_CAUSE_LENGTH ? message.substring(0, MAX_CAUSE_LENGTH) + "..." : message;
        text.append(text.length() == 0 ? "" : " <- ").append(shortened);
      }
    }
    return text.toString();
  }

  /** The end of the server's own output, which usually says why it did not come up. */
  private static String logTail(SshdContainer server) {
    List<String> lines = server.recentLog();
    if (lines.isEmpty()) {
      return "";
    }
    return "\nsshd container log (last lines):\n  "
        + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  private void openTunnel(TunnelSpec spec, Settings settings) {
    try {
      Forward forward = master.forwardLocal(spec.host(), spec.port());
      register(forward);
      tunnels.put(spec.name(), forward);
      master.awaitReachable(forward, settings.tunnelReadyTimeout());
    } catch (SshOperationException e) {
      throw new SshOperationException(String.format(
          "muxtest: tunnel \"%s\" of %s (to %s:%d as seen from the server) is not usable: %s",
          spec.name(), testClass.getName(), spec.host(), spec.port(), e.getMessage()), e);
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

  /**
   * The connection report of the master this class owns; empty when it uses an enclosing class's
   * master or never connected one.
   */
  public Optional<ConnectionReport> ownConnectionReport() {
    return ownsMaster && master != null ? Optional.of(master.connectionReport()) : Optional.empty();
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
