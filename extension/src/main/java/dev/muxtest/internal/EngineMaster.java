package dev.muxtest.internal;

import dev.muxtest.Forward;
import dev.muxtest.SshMaster;
import java.time.Duration;
import java.util.List;

/** What the extension needs of a master beyond the public {@link SshMaster}. */
public interface EngineMaster extends SshMaster, AutoCloseable {

  /**
   * Waits until {@code forward} works end to end: its destination accepts a connection from the
   * server's side, and its local listener accepts a TCP connection.
   *
   * @throws dev.muxtest.SshOperationException if that does not happen within {@code timeout}
   */
  void awaitReachable(Forward forward, Duration timeout);

  /** The forwards open now, for diagnostics. */
  List<Forward> openForwards();

  /** The end of the engine's own log (the OpenSSH master's), for diagnostics; empty if it keeps none. */
  default String logTail() {
    return "";
  }

  /**
   * Closes the connection but keeps the master: its next use opens a new connection (and counts
   * it). For SUITE-scope masters left idle.
   */
  void suspend();

  /** Closes every forward, then the connection; idempotent, never throws a checked exception. */
  @Override
  void close();
}
