package dev.muxtest.internal;

import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A SUITE-scope master: one server and one master for the whole test run, shared by every class
 * that names the same server. Lives in the engine's root store, which closes it when the run ends.
 */
public final class SharedMaster implements AutoCloseable {

  /** Label on the default server that SUITE-scope classes share. */
  public static final String SUITE_LABEL = "dev.muxtest.scope";

  private final ServerResources server;
  private final EngineMaster master;
  private final Optional<Duration> idleTimeout;
  private final AtomicInteger users = new AtomicInteger();
  private final ScheduledExecutorService idleTimer;
  private ScheduledFuture<?> pendingSuspend;

  private SharedMaster(ServerResources server, EngineMaster master, Optional<Duration> idleTimeout) {
    this.server = server;
    this.master = master;
    this.idleTimeout = idleTimeout;
    this.idleTimer = idleTimeout.isEmpty() ? null : Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "muxtest-suite-idle");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Which classes share a master: same engine and mode, and the same server object (or the
   * default server).
   *
   * @param choice engine, mode and scope
   * @param server the declared server, compared by identity; {@code null} for the default server
   */
  public record Key(EngineChoice choice, IdentityKey server) {

    /** The key of a class's choice and declared server, if any. */
    public static Key of(EngineChoice choice, Optional<SshdContainer> declared) {
      return new Key(choice, declared.map(IdentityKey::new).orElse(null));
    }
  }

  /** Compares a server by identity: two equal-looking containers are still two servers. */
  public record IdentityKey(SshdContainer container) {
    @Override
    public boolean equals(Object other) {
      return other instanceof IdentityKey key && key.container == container;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(container);
    }
  }

  /**
   * Starts the server if needed and connects the master; on failure releases what it made.
   *
   * @throws SshOperationException naming the step that failed
   */
  public static SharedMaster open(Key key, Settings settings) {
    SshdContainer container = key.server() != null
        ? key.server().container()
        : ServerResources.defaultServer(settings).withLabel(SUITE_LABEL, "suite");
    ServerResources server = new ServerResources(container);
    try {
      server.start("the test run");
      return new SharedMaster(
          server, ServerResources.connect(container, key.choice(), settings), settings.suiteIdleTimeout());
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The shared server. */
  public SshdContainer server() {
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
      pendingSuspend = idleTimer.schedule(master::suspend, idleTimeout.get().toMillis(), TimeUnit.MILLISECONDS);
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
