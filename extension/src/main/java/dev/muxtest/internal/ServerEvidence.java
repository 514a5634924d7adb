package dev.muxtest.internal;

import dev.muxtest.ConnectionReport;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/** Builds a {@link ConnectionReport} from the client's count and the server's log. */
final class ServerEvidence {

  /** The container log may trail a login by a moment. */
  private static final Duration LOG_WAIT = Duration.ofSeconds(10);
  private static final long POLL_MILLIS = 100;

  private ServerEvidence() {}

  static ConnectionReport report(ServerEndpoint server, PublicKey clientKey, LongSupplier clientConnections) {
    List<String> lines = server.acceptedLogins(clientKey);
    long deadline = System.nanoTime() + LOG_WAIT.toNanos();
    while (lines.size() < clientConnections.getAsLong() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_MILLIS); // polling the server's log, bounded by LOG_WAIT
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      lines = server.acceptedLogins(clientKey);
    }
    return new ConnectionReport(
        clientConnections.getAsLong(), lines.size(), KeyMaterial.fingerprint(clientKey), lines);
  }
}
