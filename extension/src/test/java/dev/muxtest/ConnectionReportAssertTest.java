package dev.muxtest;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectionReportAssertTest {

  private static final String LINE_1 =
      "Accepted publickey for tester from 172.17.0.1 port 40000 ssh2: ED25519 SHA256:x";
  private static final String LINE_2 =
      "Accepted publickey for tester from 172.17.0.1 port 40002 ssh2: ED25519 SHA256:x";

  private static final ConnectionReport SINGLE =
      new ConnectionReport(1, 1, "SHA256:x", List.of(LINE_1));
  private static final ConnectionReport TWO =
      new ConnectionReport(2, 2, "SHA256:x", List.of(LINE_1, LINE_2));
  private static final ConnectionReport NO_SERVER_EVIDENCE =
      new ConnectionReport(1, 0, "SHA256:x", List.of());

  private static final String TWO_MESSAGE =
      lines(
          "Expected all sessions to share one SSH connection, but",
          "  client side: 2 TCP connection(s) opened",
          "  server side: 2 authenticated connection(s) with key SHA256:x",
          "  server log:",
          "    " + LINE_1,
          "    " + LINE_2);

  private static final String NO_SERVER_EVIDENCE_MESSAGE =
      lines(
          "Expected all sessions to share one SSH connection, but",
          "  client side: 1 TCP connection(s) opened",
          "  server side: 0 authenticated connection(s) with key SHA256:x",
          "  (no matching line in the server log)");

  @Test
  void oneConnectionOnBothSidesIsASingleConnection() {
    assertThatCode(() -> assertThat(SINGLE).isSingleConnection()).doesNotThrowAnyException();
  }

  @Test
  void twoConnectionsAreReportedWithTheServerLog() {
    assertThatThrownBy(() -> assertThat(TWO).isSingleConnection())
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage(TWO_MESSAGE);
  }

  @Test
  void missingServerEvidenceIsSaid() {
    assertThatThrownBy(() -> assertThat(NO_SERVER_EVIDENCE).isSingleConnection())
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage(NO_SERVER_EVIDENCE_MESSAGE);
  }

  @Test
  void oneSideAloneSeeingOneConnectionIsNotEnough() {
    ConnectionReport serverSawTwo = new ConnectionReport(1, 2, "SHA256:x", List.of(LINE_1, LINE_2));

    assertThatThrownBy(() -> assertThat(serverSawTwo).isSingleConnection())
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessageStartingWith(
            lines(
                "Expected all sessions to share one SSH connection, but",
                "  client side: 1 TCP connection(s) opened",
                "  server side: 2 authenticated connection(s) with key SHA256:x"));
  }

  @Test
  void serverAuthenticatedConnectionsPassWhenEqual() {
    assertThatCode(() -> assertThat(TWO).hasServerAuthenticatedConnections(2))
        .doesNotThrowAnyException();
  }

  @Test
  void serverAuthenticatedConnectionsReportTheServerLog() {
    assertThatThrownBy(() -> assertThat(TWO).hasServerAuthenticatedConnections(1))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage(
            lines(
                "Expected the server to have authenticated 1 connection(s) with key SHA256:x but it authenticated 2",
                "  server log:",
                "    " + LINE_1,
                "    " + LINE_2));
    assertThatThrownBy(() -> assertThat(NO_SERVER_EVIDENCE).hasServerAuthenticatedConnections(1))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage(
            lines(
                "Expected the server to have authenticated 1 connection(s) with key SHA256:x but it authenticated 0",
                "  (no matching line in the server log)"));
  }

  @Test
  void nullReportFailsAsNull() {
    assertThatThrownBy(() -> assertThat((ConnectionReport) null).isSingleConnection())
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage(lines("", "Expecting actual not to be null"));
  }

  @Test
  void masterOpenedConnectionsPassWhenEqual() {
    assertThatCode(() -> assertThat(new StubMaster(SINGLE)).hasOpenedTcpConnections(1))
        .doesNotThrowAnyException();
  }

  @Test
  void masterOpenedConnectionsFailWithBothCounts() {
    assertThatThrownBy(
            () ->
                assertThat(new StubMaster(new ConnectionReport(3, 1, "SHA256:x", List.of(LINE_1))))
                    .hasOpenedTcpConnections(1))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage("Expected the SSH master to have opened 1 TCP connection(s) but it opened 3");
  }

  @Test
  void masterSingleConnectionUsesItsReport() {
    assertThatCode(() -> assertThat(new StubMaster(SINGLE)).usedSingleTcpConnection())
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(new StubMaster(TWO)).usedSingleTcpConnection())
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage(TWO_MESSAGE);
  }

  private static String lines(String... lines) {
    // The assertions build their messages with %n.
    return String.join(System.lineSeparator(), lines);
  }

  /** Answers only the counting questions the assertions ask. */
  private static final class StubMaster implements SshMaster {
    private final ConnectionReport report;

    StubMaster(ConnectionReport report) {
      this.report = report;
    }

    @Override
    public ConnectionReport connectionReport() {
      return report;
    }

    @Override
    public Duration commandTimeout() {
      throw new UnsupportedOperationException();
    }

    @Override
    public ExecResult exec(String command, Map<String, String> environment, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Forward forwardLocal(String host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Forward forwardRemote(int remotePort, String host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Forward forwardDynamic() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Forward forwardLocalSocket(String remoteSocketPath) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void addAgentKey(java.security.KeyPair key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Engine engine() {
      return Engine.MINA;
    }

    @Override
    public boolean check() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void stopAccepting() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Path> controlPath() {
      return Optional.empty();
    }

    @Override
    public RemoteProcess start(String command) {
      throw new UnsupportedOperationException();
    }

    @Override
    public RemoteProcess startWithTerminal(String command) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void upload(Path local, String remotePath, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void download(String remotePath, Path local, Duration timeout) {
      throw new UnsupportedOperationException();
    }
  }
}
