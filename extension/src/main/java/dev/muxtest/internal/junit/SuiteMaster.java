package dev.muxtest.internal.junit;

import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import dev.muxtest.internal.engine.TunnelSpec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
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
public final class SuiteMaster implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final ServerLease server;
  private final EngineMaster master;
  private final Optional<Duration> idleTimeout;
  private final AtomicInteger users = new AtomicInteger();
  private final ConcurrentHashMap<TunnelSpec, KeptTunnel> tunnels = new ConcurrentHashMap<>();
  private final ScheduledExecutorService idleTimer;
  private ScheduledFuture<?> pendingSuspend;

  private SuiteMaster(ServerLease server, EngineMaster master, Optional<Duration> idleTimeout) {
    this.server = server;
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
  public static final class Key {
    private final ClassOptions options;
    private final Object server;

    private Key(ClassOptions options, Object server) {
      this.options = options;
      this.server = server;
    }

    /** The key of a class's options and declared server. */
    public static Key of(ClassOptions options, DeclaredServer declared) {
      return new Key(options, declared.server());
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
   * Starts the server if needed and connects the master; on failure releases what it made.
   *
   * @throws dev.muxtest.SshOperationException naming the step that failed
   */
  public static SuiteMaster open(ClassOptions options, DeclaredServer declared, Settings settings) {
    Deque<AutoCloseable> made = new ArrayDeque<>();
    try {
      ServerLease server =
          ServerLease.start(declared, settings, "the test run", Labels.SUITE, "suite", made::push);
      EngineMaster master = Masters.connect(server.endpoint(), options.master(), settings);
      return new SuiteMaster(server, master, settings.suiteIdleTimeout());
    } catch (RuntimeException e) {
      made.forEach(SuiteMaster::closeQuietly);
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception suppressed) {
      // the failure to open is the one to report
    }
  }

  /** The shared server's container; empty for an outside host. */
  public Optional<SshdContainer> container() {
    return server.container();
  }

  /** The shared master. */
  public EngineMaster master() {
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
  public Forward tunnel(TunnelSpec spec, Duration readyTimeout) {
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
  public synchronized AutoCloseable use() {
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
