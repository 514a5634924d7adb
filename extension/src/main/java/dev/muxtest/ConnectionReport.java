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
}
