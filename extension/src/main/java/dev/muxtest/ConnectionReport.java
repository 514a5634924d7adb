package dev.muxtest;

import java.util.List;

/**
 * What both ends say about the connections of one SSH master.
 *
 * @param clientTcpConnections TCP connections the master opened, counted by the client
 * @param serverAuthenticatedConnections connections the server authenticated with the master's key
 * @param keyFingerprint SHA-256 fingerprint of the master's key, as the server logs it
 * @param serverEvidence the server's log lines behind {@code serverAuthenticatedConnections}
 */
public record ConnectionReport(
    long clientTcpConnections,
    long serverAuthenticatedConnections,
    String keyFingerprint,
    List<String> serverEvidence) {

  /** Creates a report; the evidence list is copied. */
  public ConnectionReport {
    serverEvidence = List.copyOf(serverEvidence);
  }

  /** Whether both sides saw exactly one connection. */
  public boolean singleConnection() {
    return clientTcpConnections == 1 && serverAuthenticatedConnections == 1;
  }

  /**
   * What is wrong with a report that is not one connection on each side: both sides' counts and the
   * server's log lines, as the end-of-class proof and {@code isSingleConnection()} say it.
   */
  public String singleConnectionFailure() {
    return String.format(
        "Expected all sessions to share one SSH connection, but%n"
            + "  client side: %d TCP connection(s) opened%n"
            + "  server side: %d authenticated connection(s) with key %s%s",
        clientTcpConnections, serverAuthenticatedConnections, keyFingerprint, evidence());
  }

  /** The server's log lines behind the server-side count, or a note that there are none. */
  public String evidence() {
    if (serverEvidence.isEmpty()) {
      return String.format("%n  (no matching line in the server log)");
    }
    StringBuilder lines = new StringBuilder(String.format("%n  server log:"));
    serverEvidence.forEach(line -> lines.append(String.format("%n    %s", line)));
    return lines.toString();
  }
}
