package dev.muxtest.internal.junit;

import dev.muxtest.ConnectionReport;
import dev.muxtest.internal.engine.OwnMasterEvidence;
import org.opentest4j.AssertionFailedError;

/**
 * The end-of-class proof, failed with opentest4j's {@link AssertionFailedError}, which every JUnit
 * user has (AssertJ is needed only for {@code MuxAssertions}); worded as {@link
 * ConnectionReport#singleConnectionFailure()}, as the AssertJ entry points are.
 */
final class Proof {

  private Proof() {}

  /**
   * Fails unless client and server each saw exactly one connection of the master.
   *
   * @param owner what the master belongs to, for the message (e.g. "SSH master of com.x.ApiTest")
   */
  static void verifySingleConnection(String owner, ConnectionReport report) {
    if (!report.singleConnection()) {
      throw new AssertionFailedError(
          "[muxtest: " + owner + "] " + report.singleConnectionFailure());
    }
  }

  /**
   * Fails unless the client opened exactly one TCP connection: the server's log is not available.
   */
  static void verifySingleClientConnection(String owner, ConnectionReport report) {
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
   * Fails unless every session rode the user's own master ({@code UserMaster}): the same master
   * process, with the same TCP connections, and no new login in the server's log.
   */
  static void verifyRodeOwnMaster(String owner, OwnMasterEvidence evidence) {
    if (!evidence.rodeOwnMaster()) {
      throw new AssertionFailedError(
          "[muxtest: "
              + owner
              + "] Expected all sessions to ride the user's own master, but "
              + String.join("; ", evidence.problems()));
    }
  }
}
