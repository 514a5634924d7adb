package dev.muxtest.internal.engine;

import dev.muxtest.RemoteProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The long-running processes of one master: each started in a session held from the master's budget
 * until the process closes or its channel ends, tracked so that the master closes those still open
 * as it closes.
 */
final class ProcessRegistry {

  /** How an engine starts a process in a new session. */
  @FunctionalInterface
  interface Starter {
    /**
     * Starts {@code command}, the master accepting and a session of the budget taken; the engine
     * calls {@code ended} once the process's channel (or multiplexing client) has ended on its own,
     * which gives its session back before {@link RemoteProcess#close()}.
     */
    RemoteProcess start(String command, boolean terminal, Runnable ended);
  }

  private final Set<RemoteProcess> processes = ConcurrentHashMap.newKeySet();
  private final SessionBudget sessions;
  private final Duration sessionWait;
  private final MasterState state;
  private final Runnable ensureAccepting;
  private final Starter starter;

  /** When a process was last closed here (System.nanoTime); null if never. */
  private volatile Long lastClose;

  /**
   * Processes started by {@code starter} in sessions of {@code sessions}, each waited for up to
   * {@code sessionWait}, after {@code ensureAccepting} passed; {@code state} says whether the
   * master closed meanwhile.
   */
  ProcessRegistry(
      SessionBudget sessions,
      Duration sessionWait,
      MasterState state,
      Runnable ensureAccepting,
      Starter starter) {
    this.sessions = sessions;
    this.sessionWait = sessionWait;
    this.state = state;
    this.ensureAccepting = ensureAccepting;
    this.starter = starter;
  }

  /**
   * Checks {@code command} (naming {@code method} in the message), then starts it in a session of
   * the budget and tracks it until it closes.
   *
   * @throws IllegalArgumentException if {@code command} is null, blank, holds a NUL character or is
   *     too long ({@link Inputs#command})
   */
  RemoteProcess start(String method, String command, boolean terminal) {
    Inputs.command(method, command);
    ensureAccepting.run();
    SessionBudget.Lease lease = sessions.acquire(sessionWait, CommandText.shorten(command));
    TrackedProcess tracked;
    try {
      tracked = new TrackedProcess(starter.start(command, terminal, lease::release), lease);
    } catch (RuntimeException e) {
      lease.release();
      throw e;
    }
    processes.add(tracked);
    if (state.isClosed()) { // the master closed while the process started: it was not closed
      tracked.close();
      state.ensureNotClosed();
    }
    return tracked;
  }

  /** The processes started here and not closed yet. */
  List<RemoteProcess> open() {
    return List.copyOf(processes);
  }

  /** Closes every process still open. */
  void closeAll() {
    List.copyOf(processes).forEach(RemoteProcess::close);
  }

  /** Whether a process was closed within {@code window}. */
  boolean aProcessClosedWithin(Duration window) {
    Long last = lastClose;
    return last != null && System.nanoTime() - last < window.toNanos();
  }

  /** An engine's process, holding its session of the budget and its place in the registry. */
  private final class TrackedProcess implements RemoteProcess {
    private final RemoteProcess process;
    private final SessionBudget.Lease lease;

    TrackedProcess(RemoteProcess process, SessionBudget.Lease lease) {
      this.process = process;
      this.lease = lease;
    }

    @Override
    public OutputStream stdin() {
      return process.stdin();
    }

    @Override
    public InputStream stdout() {
      return process.stdout();
    }

    @Override
    public InputStream stderr() {
      return process.stderr();
    }

    @Override
    public int waitFor(Duration timeout) {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("waitFor: timeout must be positive, but was " + timeout);
      }
      if (timeout.compareTo(Settings.MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            "waitFor: timeout must be at most 24h, but was " + timeout);
      }
      return process.waitFor(timeout);
    }

    @Override
    public boolean isAlive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      try {
        process.close();
      } finally {
        lastClose = System.nanoTime();
        lease.release();
        processes.remove(this);
      }
    }

    @Override
    public String toString() {
      return process.toString();
    }
  }
}
