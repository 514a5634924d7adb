package dev.muxtest.internal.junit;

import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
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
 */
@SuppressWarnings(
    "deprecation") // CloseableResource: JUnit before 5.13 closes only those (6.x still does)
public final class SuiteMaster implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final ServerLease server;
  private final EngineMaster master;
  private final Optional<Duration> idleTimeout;
  private final AtomicInteger users = new AtomicInteger();
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

  /** Closes the master, then the server if it was started here. */
  @Override
  public void close() {
    if (idleTimer != null) {
      idleTimer.shutdownNow();
    }
    try {
      master.close();
    } finally {
      server.close();
    }
  }
}
