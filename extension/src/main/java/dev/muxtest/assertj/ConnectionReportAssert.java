package dev.muxtest.assertj;

import dev.muxtest.ConnectionReport;
import org.assertj.core.api.AbstractAssert;

/** AssertJ assertions on a {@link ConnectionReport}. */
public class ConnectionReportAssert
    extends AbstractAssert<ConnectionReportAssert, ConnectionReport> {

  /** Creates assertions on {@code actual}. */
  public ConnectionReportAssert(ConnectionReport actual) {
    super(actual, ConnectionReportAssert.class);
  }

  /** Verifies that client and server each saw exactly one connection of the master. */
  public ConnectionReportAssert isSingleConnection() {
    isNotNull();
    if (!actual.singleConnection()) {
      failWithMessage("%s", actual.singleConnectionFailure());
    }
    return this;
  }

  /** Verifies the server-side count of authenticated connections made with the master's key. */
  public ConnectionReportAssert hasServerAuthenticatedConnections(long expected) {
    isNotNull();
    if (actual.serverAuthenticatedConnections() != expected) {
      failWithMessage(
          "Expected the server to have authenticated %d connection(s) with key %s but it authenticated %d%s",
          expected,
          actual.keyFingerprint(),
          actual.serverAuthenticatedConnections(),
          actual.evidence());
    }
    return this;
  }
}
