package dev.muxtest;

import org.assertj.core.api.AbstractAssert;

/** AssertJ assertions on a {@link ConnectionReport}. */
public class ConnectionReportAssert extends AbstractAssert<ConnectionReportAssert, ConnectionReport> {

  /** Creates assertions on {@code actual}. */
  public ConnectionReportAssert(ConnectionReport actual) {
    super(actual, ConnectionReportAssert.class);
  }

  /** Verifies that client and server each saw exactly one connection of the master. */
  public ConnectionReportAssert isSingleConnection() {
    isNotNull();
    if (!actual.singleConnection()) {
      failWithMessage(
          "Expected all sessions to share one SSH connection, but%n"
              + "  client side: %d TCP connection(s) opened%n"
              + "  server side: %d authenticated connection(s) with key %s%s",
          actual.clientTcpConnections(),
          actual.serverAuthenticatedConnections(),
          actual.keyFingerprint(),
          evidence());
    }
    return this;
  }

  /** Verifies the server-side count of authenticated connections made with the master's key. */
  public ConnectionReportAssert hasServerAuthenticatedConnections(long expected) {
    isNotNull();
    if (actual.serverAuthenticatedConnections() != expected) {
      failWithMessage(
          "Expected the server to have authenticated %d connection(s) with key %s but it authenticated %d%s",
          expected, actual.keyFingerprint(), actual.serverAuthenticatedConnections(), evidence());
    }
    return this;
  }

  private String evidence() {
    if (actual.serverEvidence().isEmpty()) {
      return String.format("%n  (no matching line in the server log)");
    }
    StringBuilder lines = new StringBuilder(String.format("%n  server log:"));
    actual.serverEvidence().forEach(line -> lines.append(String.format("%n    %s", line)));
    return lines.toString();
  }
}
