package dev.muxtest.internal.engine;

import dev.muxtest.ExecResult;
import dev.muxtest.SshOperationException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;

/**
 * Whether a master is alive, when one without its connection connects again, and when it may not be
 * used: a suspended master always reconnects on its next use, a lost one only with {@code
 * muxtest.reconnect}; a stopped or closed one never. A reconnect is a new TCP connection: the count
 * says so, and so does the proof.
 */
final class Liveness {

  private static final System.Logger LOG = System.getLogger(Liveness.class.getName());

  private final AbstractEngineMaster master;
  private final MasterState state;
  private final SessionBudget sessions;
  private final boolean reconnectOn;
  private final String server;

  /** The reconnects of {@code master} in {@code state}; {@code reconnectOn} if a lost one may. */
  Liveness(
      AbstractEngineMaster master,
      MasterState state,
      SessionBudget sessions,
      boolean reconnectOn,
      String server) {
    this.master = master;
    this.state = state;
    this.sessions = sessions;
    this.reconnectOn = reconnectOn;
    this.server = server;
  }

  /**
   * Whether the master is up and a command's round trip succeeds (the engine's own answer, a
   * session's open flag or {@code -O check}, never touches the network). Never reconnects.
   */
  boolean check() {
    if (state.isClosed() || state.isStopped()) {
      return false;
    }
    return master.isConnected() && master.controlAnswers() && answersRoundTrip();
  }

  private boolean answersRoundTrip() {
    try {
      // On the connection as it is: exec would reconnect a connection lost meanwhile.
      Duration bound = AbstractEngineMaster.PROBE_ATTEMPT;
      ExecResult result =
          sessions.run(bound, "true", left -> master.execInSession("true", Map.of(), bound, left));
      return result.exitCode() == 0;
    } catch (SshOperationException e) {
      LOG.log(Level.DEBUG, "Liveness check of the master failed: {0}", e.getMessage());
      return false;
    }
  }

  /** Connects again if the master has no connection and reconnecting is wanted. */
  void ifWanted() {
    if (master.isConnected() || !state.wantsReconnect(reconnectOn)) {
      return;
    }
    synchronized (this) {
      if (master.isConnected() || state.isClosed()) {
        return;
      }
      LOG.log(
          Level.INFO,
          "SSH master to {0} has no connection ({1}); connecting again",
          server,
          state.isSuspended() ? "suspended while idle" : "lost");
      master.connectAgain();
      state.resumed();
    }
  }

  /**
   * Fails unless the master takes new sessions and forwards: not closed, not stopped, connected
   * (reconnecting first where that is wanted).
   */
  void ensureAccepting() {
    state.ensureAccepting();
    // Asked once on the common path: on the OpenSSH engine each answer is a connection to the
    // control socket.
    if (master.isConnected()) {
      return;
    }
    ifWanted();
    if (!master.isConnected()) {
      throw new SshOperationException(master.lostConnectionMessage());
    }
  }

  /** Connects again where wanted; whether the master is connected afterwards. Never throws. */
  boolean reconnect() {
    if (state.isClosed() || state.isStopped()) {
      return false;
    }
    try {
      ifWanted();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Reconnecting the master to {0} failed: {1}", server, e.getMessage());
      return false;
    }
    return master.isConnected();
  }

  /** Ends the connection of a connected, open master until its next use. */
  synchronized void suspend() {
    if (master.isConnected() && state.suspend()) {
      master.disconnect();
    }
  }
}
