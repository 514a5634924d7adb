package dev.muxtest.assertj;

import dev.muxtest.ConnectionReport;
import dev.muxtest.SshMaster;

/**
 * AssertJ entry points for muxtest types.
 *
 * <pre>{@code
 * import static dev.muxtest.assertj.MuxAssertions.assertThat;
 *
 * assertThat(master).usedSingleTcpConnection();
 * }</pre>
 */
public final class MuxAssertions {

  private MuxAssertions() {}

  /** Assertions on a master: its connections as the client and the server saw them. */
  public static SshMasterAssert assertThat(SshMaster actual) {
    return new SshMasterAssert(actual);
  }

  /** Assertions on a report taken earlier with {@link SshMaster#connectionReport()}. */
  public static ConnectionReportAssert assertThat(ConnectionReport actual) {
    return new ConnectionReportAssert(actual);
  }
}
