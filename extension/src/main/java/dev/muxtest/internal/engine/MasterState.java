package dev.muxtest.internal.engine;

import dev.muxtest.SshOperationException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The state of a master: open, stopped (takes no new sessions or forwards), suspended (connection
 * closed while idle, reopened on demand) or closed (for good), and the refusals each state gives.
 */
final class MasterState {

  private final String server;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicBoolean suspended = new AtomicBoolean();

  /** The state of a master to {@code server} (for messages). */
  MasterState(String server) {
    this.server = server;
  }

  boolean isClosed() {
    return closed.get();
  }

  boolean isStopped() {
    return stopped.get();
  }

  boolean isSuspended() {
    return suspended.get();
  }

  /** Closed from now on; whether this call closed it. */
  boolean close() {
    return closed.compareAndSet(false, true);
  }

  /** Stopped from now on; whether this call stopped it. */
  boolean stop() {
    return stopped.compareAndSet(false, true);
  }

  /** Marks the master suspended, unless it is closed or stopped; whether it is. */
  boolean suspend() {
    if (closed.get() || stopped.get()) {
      return false;
    }
    suspended.set(true);
    return true;
  }

  /** The connection is back. */
  void resumed() {
    suspended.set(false);
  }

  /** Whether a master without a connection connects again: suspended, or reconnecting is on. */
  boolean wantsReconnect(boolean reconnectOn) {
    return !closed.get() && !stopped.get() && (reconnectOn || suspended.get());
  }

  /** Fails if the master is closed. */
  void ensureNotClosed() {
    if (closed.get()) {
      throw new SshOperationException("The SSH master to " + server + " is closed");
    }
  }

  /** Fails if the master is closed or stopped. */
  void ensureAccepting() {
    ensureNotClosed();
    if (stopped.get()) {
      throw new SshOperationException(
          "The SSH master to " + server + " is stopped: it refuses new sessions and forwards");
    }
  }
}
