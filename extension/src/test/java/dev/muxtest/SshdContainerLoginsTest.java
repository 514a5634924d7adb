package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logins an {@link SshdContainer} reports from its streamed output agree with its log, and stay
 * readable once the container is gone.
 */
class SshdContainerLoginsTest {

  @TempDir Path dir;

  @Test
  void loginsSoFarComeFromTheStreamedOutputAgreeWithTheLogAndOutliveTheContainer()
      throws Exception {
    KeyPair key = KeyMaterial.generate();
    SshdContainer server = new SshdContainer();
    try {
      server.start();
      server.authorizeKey(key.getPublic());
      Path identity = dir.resolve("id");
      Files.write(identity, KeyMaterial.openSshPrivateKey(key, "logins test key"));
      Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
      Path knownHosts =
          Files.writeString(
              dir.resolve("known_hosts"),
              "["
                  + server.host()
                  + "]:"
                  + server.port()
                  + " "
                  + KeyMaterial.publicKeyLine(server.hostKey())
                  + "\n");
      assertThat(server.acceptedPublicKeyLoginsSoFar(key.getPublic())).isEmpty();

      for (int login = 1; login <= 2; login++) {
        try (CloseableSshMaster master =
            SshMasters.connect(
                SshHost.of(server.host(), server.port(), "tester", identity, knownHosts))) {
          assertThat(master.exec("true").exitCode()).isZero();
        }
        int expected = login;
        assertThat(
                Poll.until(
                    Duration.ofSeconds(10),
                    Duration.ofMillis(20),
                    () -> server.acceptedPublicKeyLoginsSoFar(key.getPublic()).size() == expected))
            .as("login %d seen in the streamed output", login)
            .isTrue();
      }
      List<String> fromTheLog = server.acceptedPublicKeyLogins(key.getPublic());
      assertThat(fromTheLog).hasSize(2);
      assertThat(server.acceptedPublicKeyLoginsSoFar(key.getPublic())).isEqualTo(fromTheLog);
      assertThat(fromTheLog.get(0)).endsWith(" " + KeyMaterial.fingerprint(key.getPublic()));

      server.stop();

      assertThat(server.acceptedPublicKeyLoginsSoFar(key.getPublic())).isEqualTo(fromTheLog);
    } finally {
      server.stop();
    }
  }
}
