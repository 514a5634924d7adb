package dev.muxtest.internal.engine;

import dev.muxtest.ConnectionReport;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's count of the TCP connections one master opened, and the report that sets the
 * server's side beside it: the logins the server accepted with the master's key.
 */
final class ConnectionCount {

  private final AtomicLong opened = new AtomicLong();
  private final ServerEndpoint server;
  private final PublicKey key;

  /** The count of a master to {@code server} that logs in with {@code key}. */
  ConnectionCount(ServerEndpoint server, PublicKey key) {
    this.server = server;
    this.key = key;
  }

  /** Counts one more connection. */
  void add() {
    opened.incrementAndGet();
  }

  /** The connections counted so far. */
  long opened() {
    return opened.get();
  }

  /**
   * Both sides now; a server with a log of logins is given a moment to log the last one (see {@link
   * ServerEvidence}).
   */
  ConnectionReport report() {
    if (!server.logsLogins()) {
      // Nothing on the server's side to wait for: its answer is read once.
      List<String> lines = server.acceptedLogins(key);
      return new ConnectionReport(opened.get(), lines.size(), KeyMaterial.fingerprint(key), lines);
    }
    return ServerEvidence.report(server, key, opened::get);
  }
}
