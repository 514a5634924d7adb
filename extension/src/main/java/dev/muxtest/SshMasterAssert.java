package dev.muxtest;

import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on an {@link SshMaster}; obtain them from {@link
 * MuxAssertions#assertThat(SshMaster)}.
 */
public class SshMasterAssert extends AbstractAssert<SshMasterAssert, SshMaster> {

  /** Creates assertions on {@code actual}. */
  public SshMasterAssert(SshMaster actual) {
    super(actual, SshMasterAssert.class);
  }

  /**
   * Verifies that every session of the master shared one TCP connection, as both the client
   * (connections opened) and the server (authenticated connections in its log) report it. For a
   * server outside the test without a login log ({@link SshHost#withLoginLog}), the server's side
   * is not available: use {@link #hasOpenedTcpConnections(long) hasOpenedTcpConnections(1)}.
   */
  public SshMasterAssert usedSingleTcpConnection() {
    isNotNull();
    new ConnectionReportAssert(actual.connectionReport()).isSingleConnection();
    return this;
  }

  /** Verifies the client-side count of TCP connections the master opened. */
  public SshMasterAssert hasOpenedTcpConnections(long expected) {
    isNotNull();
    long opened = actual.connectionReport().clientTcpConnections();
    if (opened != expected) {
      failWithMessage(
          "Expected the SSH master to have opened %d TCP connection(s) but it opened %d",
          expected, opened);
    }
    return this;
  }
}
