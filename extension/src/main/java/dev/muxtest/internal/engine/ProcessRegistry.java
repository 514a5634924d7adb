package dev.muxtest.internal.engine;

import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The long-running processes of one master: each started in a session held from the master's budget
 * until the process closes or its channel ends, tracked so that the master closes those still open
 * as it closes. Closing one without a terminal ends its program on the server ({@link
 * RemoteProgram}) before the session is given back.
 */
final class ProcessRegistry {

  private static final System.Logger LOG = System.getLogger(ProcessRegistry.class.getName());

  /** How an engine starts a process in a new session. */
  @FunctionalInterface
  interface Starter {
    /**
     * Starts {@code command}, the master accepting and a session of the budget taken; the engine
     * calls {@code ended} once the process's channel (or multiplexing client) has ended on its own,
     * which gives its session back before {@link RemoteProcess#close()}. Messages name {@code
     * shown}, the command as the caller gave it.
     */
    RemoteProcess start(String command, String shown, boolean terminal, Runnable ended);
  }

  private final Set<RemoteProcess> processes = ConcurrentHashMap.newKeySet();
  private final SessionBudget sessions;
  private final Duration sessionWait;
  private final MasterState state;
  private final Runnable ensureAccepting;
  private final Starter starter;
  private final RemoteProgram.Exec exec;
  private final String server;

  /** When a process was last closed here (System.nanoTime); null if never. */
  private volatile Long lastClose;

  /**
   * Processes started by {@code starter} in sessions of {@code sessions}, each waited for up to
   * {@code sessionWait}, after {@code ensureAccepting} passed; {@code state} says whether the
   * master closed meanwhile. {@code exec} runs a command in a session the caller holds: it ends the
   * program of a process as the process closes, within the process's own session lease.
   */
  ProcessRegistry(
      SessionBudget sessions,
      Duration sessionWait,
      MasterState state,
      Runnable ensureAccepting,
      Starter starter,
      RemoteProgram.Exec exec,
      String server) {
    this.sessions = sessions;
    this.sessionWait = sessionWait;
    this.state = state;
    this.ensureAccepting = ensureAccepting;
    this.starter = starter;
    this.exec = exec;
    this.server = server;
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
      // Without a terminal nothing ends a program that neither reads nor writes when its channel
      // closes: its pid comes first on stdout, and close() ends its process group. A terminal's
      // hang-up ends the program by itself.
      boolean ended = RemoteProgram.endsOnClose(command, terminal);
      String sent = ended ? command : RemoteProgram.withPidLine(command);
      RemoteProcess started = starter.start(sent, command, terminal, lease::release);
      OptionalLong pid = OptionalLong.empty();
      if (!ended) {
        pid = RemoteProgram.readPid(started, sessionWait);
        if (pid.isEmpty() && started.isAlive()) {
          started.close();
          throw new SshOperationException(
              String.format(
                  "The process on %s did not report its pid within %s, so it could not be ended when closed; not started: %s",
                  server, sessionWait, command));
        }
      }
      tracked = new TrackedProcess(started, lease, pid, command);
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

  /**
   * Closes every process still open; one whose program cannot be ended is logged, and the others
   * are closed all the same.
   */
  void closeAll() {
    for (RemoteProcess process : List.copyOf(processes)) {
      try {
        process.close();
      } catch (SshOperationException e) {
        LOG.log(Level.WARNING, e.getMessage());
      }
    }
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
    private final OptionalLong pid;
    private final String command;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean endedByClose;

    TrackedProcess(
        RemoteProcess process, SessionBudget.Lease lease, OptionalLong pid, String command) {
      this.process = process;
      this.lease = lease;
      this.pid = pid;
      this.command = command;
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
      if (endedByClose) {
        // close() ended the program: its exit status is the kill's, not the program's own.
        throw new SshOperationException(
            "The process was closed before it ended on " + server + ": " + command);
      }
      return process.waitFor(timeout);
    }

    @Override
    public boolean isAlive() {
      return process.isAlive();
    }

    /**
     * Ends the program on the server (its process group, through one exec in this process's own
     * session lease) unless it has ended, then closes the channel, then gives the session back.
     *
     * @throws SshOperationException if the program could not be ended; the process is closed
     */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        if (pid.isPresent() && process.isAlive()) {
          endedByClose = true;
          RemoteProgram.end(pid.getAsLong(), exec, toString(), server);
        }
      } finally {
        try {
          process.close();
        } finally {
          lastClose = System.nanoTime();
          lease.release();
          processes.remove(this);
        }
      }
    }

    @Override
    public String toString() {
      return process.toString();
    }
  }
}
