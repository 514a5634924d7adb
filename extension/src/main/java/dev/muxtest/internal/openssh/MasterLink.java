package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.OwnMasterEvidence;
import dev.muxtest.internal.engine.ServerEndpoint;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;

/**
 * The OpenSSH master behind an {@link OpenSshMaster}'s control socket, as the engine drives it:
 * either one it starts and ends itself ({@link MasterProcess}), or the user's own, which it only
 * uses ({@link BorrowedMaster}).
 */
abstract class MasterLink {

  /**
   * Makes the master ready (starts it, or finds it answering); whether a new TCP connection was
   * made.
   *
   * @throws SshOperationException naming {@code server} when it cannot
   */
  abstract boolean start(ControlMaster mode, Duration connectTimeout, String server);

  /** A new master on the same control path after the last one's connection was lost. */
  abstract void restart(Duration connectTimeout, String server);

  /** The master runs and answers on its socket. */
  abstract boolean alive();

  /** {@code -O check} answers. */
  abstract boolean answersCheck();

  /** The master takes no new sessions or forwards. */
  abstract void stopAccepting();

  /** Ends the master, unless it is not the engine's to end. */
  abstract void exit(boolean askFirst);

  /** The end of the master's own log, for messages; empty if there is none. */
  abstract String logTail();

  /**
   * Why the engine cannot use the master to {@code server} any more: its connection is lost
   * (keep-alive every {@code keepAliveInterval}).
   */
  abstract String lostConnectionMessage(String server, Duration keepAliveInterval);

  /**
   * The evidence, read now, that every session rode the user's own master, for one of those (the
   * logins {@code server} accepted with {@code key} since); else empty.
   */
  Optional<OwnMasterEvidence> ownMasterEvidence(ServerEndpoint server, PublicKey key) {
    return Optional.empty();
  }

  /**
   * Whether closing the engine's master ends this master, and with it its forwards: then a forward
   * need not be cancelled once the master is closing or stopped.
   */
  boolean endsWithItsOwner() {
    return true;
  }
}
