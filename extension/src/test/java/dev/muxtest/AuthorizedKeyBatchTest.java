package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.KeyMaterial;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fresh keys authorised in batches ({@link SshdContainer#newAuthorizedKeyPair()}): each master
 * still logs in with a key of its own, but the container's authorized_keys file grows by a batch at
 * a time, not by a command per master.
 */
class AuthorizedKeyBatchTest {

  static final SshdContainer server = new SshdContainer();

  @BeforeAll
  static void start() {
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void eachMasterLogsInWithAKeyOfItsOwnAndItsProofCountsOnlyThatKey(Engine engine) {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
        assertThat(master.exec("echo ok").stdout()).isEqualTo("ok\n");
        ConnectionReport report = master.connectionReport();
        assertThat(report.clientTcpConnections()).isEqualTo(1);
        assertThat(report.serverAuthenticatedConnections()).isEqualTo(1);
        keys.add(report.keyFingerprint());
      }
    }
    assertThat(keys).as("keys of three masters").hasSize(3);
  }

  @Test
  void keysAreHandedOutOnceAndAuthorisedABatchAtATime() throws Exception {
    SshdContainer fresh = new SshdContainer();
    fresh.start();
    try {
      List<String> file = authorizedKeys(fresh);
      int firstBatch = file.size();
      assertThat(firstBatch).as("keys authorised when the container was made").isPositive();

      List<KeyPair> handedOut = new ArrayList<>();
      for (int i = 0; i < firstBatch; i++) {
        handedOut.add(fresh.newAuthorizedKeyPair());
      }
      // The whole first batch was already in the file: no command per key.
      assertThat(authorizedKeys(fresh)).isEqualTo(file);
      for (KeyPair key : handedOut) {
        assertThat(file).contains(KeyMaterial.publicKeyLine(key.getPublic()));
      }

      handedOut.add(fresh.newAuthorizedKeyPair());
      List<String> grown = authorizedKeys(fresh);
      assertThat(grown.size())
          .as("keys after the first batch ran out")
          .isGreaterThan(firstBatch + 1);
      assertThat(grown).contains(KeyMaterial.publicKeyLine(handedOut.get(firstBatch).getPublic()));
      assertThat(handedOut.stream().map(k -> KeyMaterial.fingerprint(k.getPublic())).distinct())
          .as("every key handed out is new")
          .hasSize(handedOut.size());
      // Another container knows none of them.
      assertThat(authorizedKeys(server))
          .doesNotContainAnyElementsOf(
              handedOut.stream().map(k -> KeyMaterial.publicKeyLine(k.getPublic())).toList());
    } finally {
      fresh.stop();
    }
    assertThatThrownBy(fresh::newAuthorizedKeyPair)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not running");
  }

  private static List<String> authorizedKeys(SshdContainer container) throws Exception {
    var result = container.execInContainer("cat", "/etc/ssh/authorized_keys/" + SshdContainer.USER);
    assertThat(result.getExitCode()).isZero();
    return result.getStdout().lines().toList();
  }
}
