package dev.muxtest.internal.junit;

import dev.muxtest.ConnectionReport;
import dev.muxtest.internal.engine.OwnMasterEvidence;
import org.opentest4j.AssertionFailedError;

/**
 * The end-of-class proof, failed with opentest4j's {@link AssertionFailedError}, which every JUnit
 * user has (AssertJ is needed only for {@code MuxAssertions}). Public for the AssertJ entry points,
 * which word their failures the same way.
 */
public final class Proof {

  private Proof() {}

  /**
   * Fails unless client and server each saw exactly one connection of the master.
   *
   * @param owner what the master belongs to, for the message (e.g. "SSH master of com.x.ApiTest")
   */
  public static void verifySingleConnection(String owner, ConnectionReport report) {
    if (!report.singleConnection()) {
      throw new AssertionFailedError("[muxtest: " + owner + "] " + singleConnectionFailure(report));
    }
  }

  /**
   * Fails unless the client opened exactly one TCP connection: the server's log is not available.
   */
  public static void verifySingleClientConnection(String owner, ConnectionReport report) {
    if (report.clientTcpConnections() != 1) {
      throw new AssertionFailedError(
          String.format(
              "[muxtest: %s: TCP connections opened by the client (the server's log is not available)] "
                  + "%nexpected: 1%n but was: %d",
              owner, report.clientTcpConnections()),
          1L,
          report.clientTcpConnections());
    }
  }

  /**
   * What is wrong with a report that is not one connection on each side, with the server's log
   * lines.
   */
  public static String singleConnectionFailure(ConnectionReport report) {
    return String.format(
        "Expected all sessions to share one SSH connection, but%n"
            + "  client side: %d TCP connection(s) opened%n"
            + "  server side: %d authenticated connection(s) with key %s%s",
        report.clientTcpConnections(),
        report.serverAuthenticatedConnections(),
        report.keyFingerprint(),
        evidence(report));
  }

  /** The server's log lines of the report, or a note that there are none. */
  public static String evidence(ConnectionReport report) {
    if (report.serverEvidence().isEmpty()) {
      return String.format("%n  (no matching line in the server log)");
    }
    StringBuilder lines = new StringBuilder(String.format("%n  server log:"));
    report.serverEvidence().forEach(line -> lines.append(String.format("%n    %s", line)));
    return lines.toString();
  }

  /**
   * Fails unless every session rode the user's own master ({@code SshHost.ofControlSocket}): the
   * same master process, with the same TCP connections, and no new login in the server's log.
   */
  public static void verifyRodeOwnMaster(String owner, OwnMasterEvidence evidence) {
    if (!evidence.rodeOwnMaster()) {
      throw new AssertionFailedError(
          "[muxtest: "
              + owner
              + "] Expected all sessions to ride the user's own master, but "
              + String.join("; ", evidence.problems()));
    }
  }
}
