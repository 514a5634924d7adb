package dev.muxtest.internal.engine;

import dev.muxtest.CloseableSshMaster;
import dev.muxtest.Forward;
import dev.muxtest.SshMaster;
import dev.muxtest.SshOperationException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the extension and {@code SshMasters} need of a master beyond the public {@link SshMaster}.
 */
public interface EngineMaster extends CloseableSshMaster {

  /**
   * Opens the forward {@code spec} declares, hands it to {@code register} at once (so that it is
   * closed even if the check fails), then waits until it works: LOCAL, its destination accepts a
   * connection from the server's side and its local listener accepts; REMOTE, its listener on the
   * server accepts; DYNAMIC, its local listener accepts.
   *
   * @throws SshOperationException if it cannot be opened, or does not work within {@code
   *     readyTimeout}
   */
  Forward open(TunnelSpec spec, Duration readyTimeout, Consumer<Forward> register);

  /**
   * Opens the forward {@code spec} declares and waits until it works, as {@link #open(TunnelSpec,
   * Duration, Consumer)}; on failure it closes the forward itself and throws.
   *
   * @throws SshOperationException if it cannot be opened, or does not work within {@code
   *     readyTimeout}
   */
  // shim until arch-engine merges
  default Forward open(TunnelSpec spec, Duration readyTimeout) {
    Forward[] made = new Forward[1];
    try {
      return open(spec, readyTimeout, forward -> made[0] = forward);
    } catch (RuntimeException e) {
      if (made[0] != null) {
        try {
          made[0].close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * Whether closing this master closes its forwards with it, all at once (the OpenSSH engine's
   * {@code -O exit} ends them without one {@code -O cancel} each), so that its owner need not close
   * them one by one.
   */
  // shim until arch-engine merges
  default boolean closesForwardsWithItself() {
    return true;
  }

  /**
   * A local forward whose listener binds {@code 127.0.0.1:bindPort} (0: a free port).
   *
   * @throws IllegalArgumentException as {@link dev.muxtest.SshMaster#forwardLocal(String, int)}, or
   *     if {@code bindPort} is not from 0 to 65535
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
   * For a master riding the user's own master ({@code SshHost.ofControlSocket}): the evidence, read
   * now, that every session rode it; else empty.
   */
  default java.util.Optional<OwnMasterEvidence> ownMasterEvidence() {
    return java.util.Optional.empty();
  }

  // --- Tunnels to UNIX-domain sockets on the server ---------------------------------------------

  /**
   * A local forward to the UNIX-domain socket {@code remoteSocketPath} on the server, whose
   * listener binds {@code 127.0.0.1:bindPort} (0: a free port).
   *
   * @throws IllegalArgumentException as {@link dev.muxtest.SshMaster#forwardLocalSocket(String)},
   *     or if {@code bindPort} is not from 0 to 65535
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
