package dev.muxtest.internal.mina;

import dev.muxtest.Forward;
import org.apache.sshd.client.session.ClientSession;

/**
 * A forward that lives in one connection (MINA's remote forwards): asked for again after a
 * reconnect.
 */
interface SessionBoundForward extends Forward {

  /** Asks {@code session} for the same forward, on the same ports. */
  void reopen(ClientSession session);
}
