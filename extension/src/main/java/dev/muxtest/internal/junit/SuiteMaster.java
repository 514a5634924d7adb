package dev.muxtest.internal.junit;

import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.TunnelSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A SUITE-scope master: one server and one master for the whole test run, shared by every class
 * that names the same server (container or outside host) with the same options. Lives in the JUnit
 * root store, which closes it when the run ends.
 *
 * <p>The tunnels its classes declare are kept for the run too: each declaration (name, type, host,
 * port, bind port) is opened once, by the first class that declares it, and every later class that
 * declares it gets the same forward on the same port. What outlives a class then keeps working: a
 * connection pool of a cached Spring application context, a URL computed once.
 */
@SuppressWarnings(
    "deprecation") // CloseableResource: JUnit before 5.13 closes only those (6.x still does)
final class SuiteMaster implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final Resources server;
  private final Optional<SshdContainer> container;
  private final EngineMaster master;
  private final Optional<Duration> idleTimeout;
  private final AtomicInteger users = new AtomicInteger();
  private final ConcurrentHashMap<TunnelSpec, KeptTunnel> tunnels = new ConcurrentHashMap<>();
  private final ScheduledExecutorService idleTimer;
  private ScheduledFuture<?> pendingSuspend;

  private SuiteMaster(
      Resources server,
      Optional<SshdContainer> container,
      EngineMaster master,
      Optional<Duration> idleTimeout) {
    this.server = server;
    this.container = container;
    this.master = master;
    this.idleTimeout = idleTimeout;
    this.idleTimer =
        idleTimeout.isEmpty()
            ? null
            : Executors.newSingleThreadScheduledExecutor(
                task -> {
                  Thread thread = new Thread(task, "muxtest-suite-idle");
                  thread.setDaemon(true);
                  return thread;
                });
  }

  /**
   * Which classes share a master: the same options, and the same server object (compared by
   * identity: two equal-looking servers are still two servers), or both the default server.
   */
  static final class Key {
    private final ClassOptions options;
    private final Object server;

    private Key(ClassOptions options, Object server) {
      this.options = options;
      this.server = server;
    }

    /** The key of a class's options and server. */
    static Key of(ClassOptions options, ServerChoice.OwnServer server) {
      return new Key(options, server.target().orElse(null));
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && key.options.equals(options) && key.server == server;
    }

    @Override
    public int hashCode() {
      return Objects.hash(options, System.identityHashCode(server));
    }
  }

  /**
   * Starts the server {@code plan} chose if needed and connects the master; on failure releases
   * what it made.
   *
   * @throws SshOperationException naming the step that failed
   */
  static SuiteMaster open(ClassPlan plan, ServerChoice.OwnServer server) {
    Resources made = new Resources("the test run");
    try {
      ServerLease lease =
          server.start(plan.settings(), "the test run", Labels.SUITE, "suite", made::push);
      EngineMaster master =
          Masters.connect(lease.endpoint(), plan.options().master(), plan.settings());
      return new SuiteMaster(made, lease.container(), master, plan.settings().suiteIdleTimeout());
    } catch (RuntimeException e) {
      try {
        made.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The shared server's container; empty for an outside host. */
  Optional<SshdContainer> container() {
    return container;
  }

  /** The shared master. */
  EngineMaster master() {
    return master;
  }

  /**
   * The forward {@code spec} declares, opened (and checked, within {@code readyTimeout}) by the
   * first class that declares it and kept until the run ends; a later class declaring the same gets
   * the same forward. Two classes opening the same declaration at once open it once. A forward that
   * failed to open is not kept: the next class that declares it tries again.
   *
   * @throws SshOperationException if it cannot be opened or does not work in time, or if the kept
   *     forward is no longer open
   */
  Forward tunnel(TunnelSpec spec, Duration readyTimeout) {
    return tunnels.computeIfAbsent(spec, KeptTunnel::new).get(readyTimeout);
  }

  /** One declaration's forward, opened at most once at a time (its own lock, not the map's). */
  private final class KeptTunnel {
    private final TunnelSpec spec;
    private Forward forward;

    KeptTunnel(TunnelSpec spec) {
      this.spec = spec;
    }

    synchronized Forward get(Duration readyTimeout) {
      if (forward == null) {
        forward = master.open(spec, readyTimeout);
        return forward;
      }
      if (!master.isConnected()) {
        // Suspended while idle (or lost, with reconnecting on): reconnecting reopens the master's
        // forwards on their ports.
        master.reconnect();
      }
      if (!forward.isOpen()) {
        throw new SshOperationException(
            "the forward kept for the run on port "
                + forward.localPort()
                + " is no longer open (the master's connection is lost or was not reopened)");
      }
      return forward;
    }

    synchronized void close() {
      if (forward != null) {
        forward.close();
      }
    }
  }

  /** A class starts using the master: an idle close pending is called off. */
  synchronized AutoCloseable use() {
    users.incrementAndGet();
    if (pendingSuspend != null) {
      pendingSuspend.cancel(false);
      pendingSuspend = null;
    }
    return this::release;
  }

  /** A class is done with it: with nobody left, the connection closes after the idle time. */
  private synchronized void release() {
    if (users.decrementAndGet() == 0 && idleTimer != null) {
      pendingSuspend =
          idleTimer.schedule(master::suspend, idleTimeout.get().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Closes the tunnels kept for the run, the master, then the server if it was started here. */
  @Override
  public void close() {
    if (idleTimer != null) {
      idleTimer.shutdownNow();
    }
    try {
      // The master would close them too; closing them first says they end with the run.
      tunnels.values().forEach(KeptTunnel::close);
    } finally {
      try {
        master.close();
      } finally {
        server.close();
      }
    }
  }
}
