package dev.muxtest.internal;

import dev.muxtest.Forward;
import dev.muxtest.SshMaster;
import java.time.Duration;
import java.util.List;

/** What the extension needs of a master beyond the public {@link SshMaster}. */
public interface EngineMaster extends SshMaster, AutoCloseable {

  /**
   * Waits until {@code forward} works: LOCAL, its destination accepts a connection from the
   * server's side and its local listener accepts; REMOTE, its listener on the server accepts;
   * DYNAMIC, its local listener accepts.
   *
   * @throws dev.muxtest.SshOperationException if that does not happen within {@code timeout}
   */
  void awaitReachable(Forward forward, Duration timeout);

  /**
   * A real round trip: a command only runs if the server answers (OpenSSH's {@code -O check} and a
   * MINA session's open flag answer without touching the network).
   */
  default boolean answersRoundTrip(Duration timeout) {
    try {
      return exec("true", timeout).exitCode() == 0;
    } catch (dev.muxtest.SshOperationException e) {
      System.getLogger(EngineMaster.class.getName()).log(System.Logger.Level.DEBUG,
          "Liveness check of the master failed: {0}", e.getMessage());
      return false;
    }
  }

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
  /**
   * A local forward whose listener binds {@code 127.0.0.1:bindPort} (0: a free port).
   *
   * @throws dev.muxtest.SshOperationException if the port is taken or the forward cannot be opened
   */
  Forward forwardLocal(int bindPort, String host, int port);

  /** A dynamic forward (SOCKS proxy) whose listener binds {@code 127.0.0.1:bindPort} (0: a free port). */
  Forward forwardDynamic(int bindPort);

  @Override
  default Forward forwardLocal(String host, int port) {
    return forwardLocal(0, host, port);
  }

  @Override
  default Forward forwardDynamic() {
    return forwardDynamic(0);
  }

  /** Whether the server's side of the proof is there: false for a server outside the test without a log. */
  default boolean serverEvidenceAvailable() {
    return true;
  }

  /** Closes every forward, then the connection; idempotent, never throws a checked exception. */
  @Override
  void close();
}
