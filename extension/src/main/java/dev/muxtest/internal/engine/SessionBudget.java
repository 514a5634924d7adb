package dev.muxtest.internal.engine;

import dev.muxtest.SshOperationException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Sessions a master runs at once. sshd refuses sessions beyond its MaxSessions on a connection;
 * rather than fail, or let OpenSSH open a second connection, commands beyond the budget wait for a
 * free session, within their own time limit.
 */
final class SessionBudget {

  /** OpenSSH's default MaxSessions, for servers that do not tell. */
  static final int OPENSSH_DEFAULT = 10;

  private final int size;
  private final Semaphore sessions;

  SessionBudget(int size) {
    this.size = size;
    this.sessions = new Semaphore(size, true);
  }

  /**
   * The configured budget, else one below the server's MaxSessions (or OpenSSH's default): the
   * server frees a session a moment after the client has seen it closed, so a budget at the limit
   * would race the next session against the last one's clean-up.
   */
  static SessionBudget of(Settings settings, ServerEndpoint server) {
    int limit = server.maxSessions().orElse(OPENSSH_DEFAULT);
    return new SessionBudget(settings.sessionBudget().orElse(Math.max(1, limit - 1)));
  }

  /**
   * Runs {@code session} once a session is free, handing it the time left of {@code timeout}.
   *
   * @throws SshOperationException if no session frees up within {@code timeout}
   */
  <T> T run(Duration timeout, String what, Function<Duration, T> session) {
    long start = System.nanoTime();
    try {
      if (!sessions.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new SshOperationException(
            String.format(
                "No free session within %s for %s: all %d sessions this master may run at once (one below the "
                    + "server's MaxSessions, or %s) are busy",
                timeout, what, size, Settings.SESSION_BUDGET));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshOperationException(
          "Interrupted while waiting for a free session for " + what, e);
    }
    try {
      Duration left = timeout.minusNanos(System.nanoTime() - start);
      return session.apply(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left);
    } finally {
      sessions.release();
    }
  }

  /** A session held beyond one call, by a long-running process; given back once. */
  interface Lease {
    /** Gives the session back; idempotent. */
    void release();
  }

  /**
   * Takes a session for as long as the caller holds it, once one is free within {@code timeout}.
   *
   * @throws SshOperationException if no session frees up within {@code timeout}
   */
  Lease acquire(Duration timeout, String what) {
    try {
      if (!sessions.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new SshOperationException(
            String.format(
                "No free session within %s for %s: all %d sessions this master may run at once (one below the "
                    + "server's MaxSessions, or %s) are busy; each running process holds one until it is closed",
                timeout, what, size, Settings.SESSION_BUDGET));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshOperationException(
          "Interrupted while waiting for a free session for " + what, e);
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        sessions.release();
      }
    };
  }
}
