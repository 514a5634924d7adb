package dev.muxtest.internal.engine;

import dev.muxtest.CloseableSshMaster;
import dev.muxtest.Forward;
import dev.muxtest.SshMaster;
import dev.muxtest.SshOperationException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the extension and {@code SshMasters} need of a master beyond the public {@link SshMaster}.
 */
public interface EngineMaster extends CloseableSshMaster {

  /**
   * Opens the forward {@code spec} declares and waits until it works: LOCAL, its destination
   * accepts a connection from the server's side and its local listener accepts; REMOTE, its
   * listener on the server accepts; DYNAMIC, its local listener accepts. A forward that opened but
   * does not work is closed before this throws.
   *
   * @throws SshOperationException if it cannot be opened, or does not work within {@code
   *     readyTimeout}
   */
  Forward open(TunnelSpec spec, Duration readyTimeout);

  /**
   * If the master is suspended or lost and reconnecting is wanted (it was suspended, or {@code
   * muxtest.reconnect} is on), connects it again, reopening its forwards on their ports; whether it
   * is connected afterwards.
   */
  boolean reconnect();

  /**
   * Whether closing the master closes every forward it opened, at less cost than closing each first
   * (OpenSSH's {@code -O exit} ends them without one {@code -O cancel} each): then the owner of the
   * master need not close them one by one.
   */
  boolean closesForwardsWithItself();

  /**
   * A local forward whose listener binds {@code 127.0.0.1:bindPort} (0: a free port).
   *
   * @throws IllegalArgumentException as {@link SshMaster#forwardLocal(String, int)}, or if {@code
   *     bindPort} is not from 0 to 65535
   * @throws SshOperationException if the port is taken or the forward cannot be opened
   */
  Forward forwardLocal(int bindPort, String host, int port);

  /**
   * A dynamic forward (SOCKS proxy) whose listener binds {@code 127.0.0.1:bindPort} (0: a free
   * port).
   *
   * @throws IllegalArgumentException if {@code bindPort} is not from 0 to 65535
   */
  Forward forwardDynamic(int bindPort);

  /** A local forward on a free loopback port. */
  @Override
  default Forward forwardLocal(String host, int port) {
    return forwardLocal(0, host, port);
  }

  /** A dynamic forward (SOCKS proxy) on a free loopback port. */
  @Override
  default Forward forwardDynamic() {
    return forwardDynamic(0);
  }

  /**
   * The client's count of the TCP connections this master opened, for diagnostics: unlike {@link
   * #connectionReport()} it never reads the server's log, which a failed class may not reach.
   */
  long clientConnections();

  /** The forwards open now, for diagnostics. */
  List<Forward> openForwards();

  /**
   * The end of the engine's own log (the OpenSSH master's), for diagnostics; empty if it keeps
   * none.
   */
  String logTail();

  /** Whether the connection is up now (it may be suspended, lost, or not made yet). */
  boolean isConnected();

  /**
   * Closes the connection but keeps the master: its next use opens a new connection (and counts
   * it). For SUITE-scope masters left idle.
   */
  void suspend();

  /**
   * Whether the server's side of the proof is there: false for a server outside the test without a
   * log.
   */
  boolean serverEvidenceAvailable();

  /**
   * For a master riding the user's own master ({@code UserMaster}): the evidence, read now, that
   * every session rode it; else empty.
   */
  default Optional<OwnMasterEvidence> ownMasterEvidence() {
    return Optional.empty();
  }

  /**
   * A local forward to the UNIX-domain socket {@code remoteSocketPath} on the server, whose
   * listener binds {@code 127.0.0.1:bindPort} (0: a free port).
   *
   * @throws IllegalArgumentException as {@link SshMaster#forwardLocalSocket(String)}, or if {@code
   *     bindPort} is not from 0 to 65535
   * @throws SshOperationException if the port is taken, the forward cannot be opened, or the server
   *     does not forward to UNIX sockets
   */
  Forward forwardLocalSocket(int bindPort, String remoteSocketPath);

  /** A local forward to a UNIX socket on the server, on a free loopback port. */
  @Override
  default Forward forwardLocalSocket(String remoteSocketPath) {
    return forwardLocalSocket(0, remoteSocketPath);
  }
}
