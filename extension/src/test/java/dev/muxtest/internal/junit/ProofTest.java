package dev.muxtest.internal.junit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.ConnectionReport;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The extension's end-of-class proof: opentest4j's failure, naming the class, worded as AssertJ's.
 */
class ProofTest {

  private static final String OWNER = "SSH master of com.example.ApiTest";
  private static final String LINE_1 =
      "Accepted publickey for tester from 172.17.0.1 port 40000 ssh2: ED25519 SHA256:x";
  private static final String LINE_2 =
      "Accepted publickey for tester from 172.17.0.1 port 40002 ssh2: ED25519 SHA256:x";

  @Test
  void aSingleConnectionPasses() {
    ConnectionReport single = new ConnectionReport(1, 1, "SHA256:x", List.of(LINE_1));

    assertThatCode(() -> Proof.verifySingleConnection(OWNER, single)).doesNotThrowAnyException();
  }

  @Test
  void twoConnectionsFailNamingTheClassWithTheServerLog() {
    ConnectionReport two = new ConnectionReport(2, 2, "SHA256:x", List.of(LINE_1, LINE_2));

    assertThatThrownBy(() -> Proof.verifySingleConnection(OWNER, two))
        .isExactlyInstanceOf(AssertionFailedError.class)
        .hasMessage(
            lines(
                "[muxtest: SSH master of com.example.ApiTest] Expected all sessions to share one SSH"
                    + " connection, but",
                "  client side: 2 TCP connection(s) opened",
                "  server side: 2 authenticated connection(s) with key SHA256:x",
                "  server log:",
                "    " + LINE_1,
                "    " + LINE_2));
  }

  @Test
  void missingServerEvidenceIsSaid() {
    ConnectionReport none = new ConnectionReport(1, 0, "SHA256:x", List.of());

    assertThatThrownBy(() -> Proof.verifySingleConnection(OWNER, none))
        .isExactlyInstanceOf(AssertionFailedError.class)
        .hasMessage(
            lines(
                "[muxtest: SSH master of com.example.ApiTest] Expected all sessions to share one SSH"
                    + " connection, but",
                "  client side: 1 TCP connection(s) opened",
                "  server side: 0 authenticated connection(s) with key SHA256:x",
                "  (no matching line in the server log)"));
  }

  @Test
  void withoutTheServersLogTheClientsCountAloneDecides() {
    assertThatCode(
            () ->
                Proof.verifySingleClientConnection(
                    OWNER, new ConnectionReport(1, 0, "SHA256:x", List.of())))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                Proof.verifySingleClientConnection(
                    OWNER, new ConnectionReport(2, 0, "SHA256:x", List.of())))
        .isExactlyInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("TCP connections opened by the client")
        .hasMessageContaining("but was: 2");
  }

  private static String lines(String... lines) {
    return String.join(System.lineSeparator(), lines);
  }
}
