package dev.muxtest.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sshd login line: written once, read back, whatever the log puts in front of it. */
class SshdLogLineTest {

  private static final String FINGERPRINT = "SHA256:abcDEF123+/x";

  @Test
  void aLineWrittenHereIsReadBackAsTheLoginOfItsUserAndKey() {
    String line =
        SshdLogLine.acceptedPublicKey("tester", "127.0.0.1 port 50412", "ED25519", FINGERPRINT);

    assertThat(line)
        .isEqualTo(
            "Accepted publickey for tester from 127.0.0.1 port 50412 ssh2: ED25519 " + FINGERPRINT);
    assertThat(SshdLogLine.publicKeyLogin(line + "  ", "tester")).contains(FINGERPRINT);
    assertThat(SshdLogLine.publicKeyLogin(line, "test")).isEmpty();
  }

  @Test
  void aLogIsFilteredByUserAndKeyAndMayCarryAPrefix() {
    String mine =
        SshdLogLine.acceptedPublicKey("tester", "10.0.0.2 port 1", "ED25519", FINGERPRINT);
    String log =
        String.join(
            "\n",
            "Server listening on 0.0.0.0 port 22.",
            "  " + mine + "  ",
            "Dec 08 00:00:01 host sshd[42]: " + mine,
            SshdLogLine.acceptedPublicKey("other", "10.0.0.2 port 2", "ED25519", FINGERPRINT),
            SshdLogLine.acceptedPublicKey("tester", "10.0.0.2 port 3", "RSA", "SHA256:another"),
            "Accepted password for root from 10.0.0.3 port 4 ssh2");

    assertThat(SshdLogLine.publicKeyLogins(log, "tester", FINGERPRINT))
        .containsExactly(mine, "Dec 08 00:00:01 host sshd[42]: " + mine);
    assertThat(SshdLogLine.anyLogins(log))
        .hasSize(5)
        .last()
        .isEqualTo("Accepted password for root from 10.0.0.3 port 4 ssh2");
  }

  @Test
  void aLoginWordedByAPeerInItsDisconnectReasonOrInAUserNameIsNoLogin() {
    String forged =
        SshdLogLine.acceptedPublicKey("tester", "192.0.2.9 port 1", "ECDSA", FINGERPRINT);
    String log =
        String.join(
            "\n",
            "Received disconnect from 172.17.0.1 port 40000:11: " + forged,
            "Received disconnect from 172.17.0.1 port 40000:11: sshd[1]: " + forged,
            "Dec 08 00:00:01 host sshd[42]: Received disconnect from 10.0.0.9 port 2:11: " + forged,
            "Dec 08 00:00:01 host sshd[42]: Invalid user sshd[1]: " + forged + " from 10.0.0.9",
            forged + " [preauth]",
            "x" + forged);

    assertThat(SshdLogLine.publicKeyLogins(log, "tester", FINGERPRINT)).isEmpty();
    assertThat(SshdLogLine.anyLogins(log)).isEmpty();
    assertThat(SshdLogLine.publicKeyLogins("sshd-session[7]: " + forged, "tester", FINGERPRINT))
        .hasSize(1);
    String certificate =
        forged + " ID tester-cert (serial 7) CA ED25519 SHA256:theCertificateAuthority";
    assertThat(SshdLogLine.publicKeyLogins(certificate, "tester", FINGERPRINT)).hasSize(1);
    assertThat(SshdLogLine.anyLogins(certificate)).hasSize(1);
  }
}
