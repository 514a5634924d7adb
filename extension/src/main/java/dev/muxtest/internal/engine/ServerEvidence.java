package dev.muxtest.internal.engine;

import dev.muxtest.ConnectionReport;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/** Builds a {@link ConnectionReport} from the client's count and the server's log. */
final class ServerEvidence {

  /** The container log may trail a login by a moment. */
  private static final Duration LOG_WAIT = Duration.ofSeconds(10);

  private static final Duration POLL = Duration.ofMillis(100);

  private ServerEvidence() {}

  static ConnectionReport report(
      ServerEndpoint server, PublicKey clientKey, LongSupplier clientConnections) {
    AtomicReference<List<String>> lines = new AtomicReference<>();
    Poll.until(
        LOG_WAIT,
        POLL,
        () -> {
          lines.set(server.acceptedLogins(clientKey));
          return lines.get().size() >= clientConnections.getAsLong();
        });
    return new ConnectionReport(
        clientConnections.getAsLong(),
        lines.get().size(),
        KeyMaterial.fingerprint(clientKey),
        lines.get());
  }
}
