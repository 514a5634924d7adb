package dev.muxtest.internal.mina;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.muxtest.internal.engine.KeyMaterial;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of the known_hosts check that need no server: lookup names, pattern matching on hostile
 * patterns, a file that cannot be read, and re-keys. The decisions themselves are tested against a
 * real server on both engines by {@code KnownHostsParityTest}.
 */
class KnownHostsVerifierTest {

  @TempDir Path dir;

  @Test
  void lookupNameIsTheLowerCasedHostInBracketsWithItsPortUnless22() {
    assertThat(KnownHostsVerifier.lookupName("Build-Host.example", 22))
        .isEqualTo("build-host.example");
    assertThat(KnownHostsVerifier.lookupName("Build-Host.example", 2222))
        .isEqualTo("[build-host.example]:2222");
  }

  @Test
  void globMatchesStarsAndQuestionMarksOnly() {
    assertThat(KnownHostsVerifier.glob("*", "[localhost]:2222")).isTrue();
    assertThat(KnownHostsVerifier.glob("[l?calhost]:2*", "[localhost]:2222")).isTrue();
    assertThat(KnownHostsVerifier.glob("[localhost]:*", "[localhost]:2222")).isTrue();
    assertThat(KnownHostsVerifier.glob("*.example", "[a.example]:2222")).isFalse();
    assertThat(KnownHostsVerifier.glob("[localhost]", "[localhost]:2222")).isFalse();
    // Pattern characters of other syntaxes are plain characters here.
    assertThat(KnownHostsVerifier.glob("l.calhost", "localhost")).isFalse();
    assertThat(KnownHostsVerifier.glob("", "")).isTrue();
  }

  @Test
  void aPatternOfManyStarsEndsInTimeOnALongName() {
    String name = "a".repeat(20_000);
    String pattern = "*a".repeat(200) + "*b";

    boolean matched =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> KnownHostsVerifier.glob(pattern, name));

    assertThat(matched).isFalse();
  }

  @Test
  void aFileThatCannotBeReadRefusesNamingIt() throws Exception {
    Path missing = dir.resolve("known_hosts.gone");
    PublicKey key = KeyMaterial.generate().getPublic();
    KnownHostsVerifier verifier = new KnownHostsVerifier(missing, "localhost", 2222);

    assertThat(verifier.check(key))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .startsWith("Server key did not validate: [localhost]:2222")
                    .contains("cannot read " + missing));
    assertThatThrownBy(() -> verifier.verifyServerKey(null, null, key))
        .isInstanceOf(KnownHostsVerifier.HostKeyRefusedException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void aReKeyOfTheSameSessionNeedsTheFileNoMoreButANewSessionDoes() throws Exception {
    PublicKey key = KeyMaterial.generate().getPublic();
    Path file =
        Files.writeString(
            dir.resolve("known_hosts"), "[localhost]:2222 " + KeyMaterial.publicKeyLine(key));
    KnownHostsVerifier verifier = new KnownHostsVerifier(file, "localhost", 2222);
    ClientSession session = sessionWithAttributes();
    assertThat(verifier.verifyServerKey(session, null, key)).isTrue();

    Files.delete(file);

    assertThat(verifier.verifyServerKey(session, null, key)).as("re-key").isTrue();
    assertThatThrownBy(
            () -> verifier.verifyServerKey(session, null, KeyMaterial.generate().getPublic()))
        .as("another key at re-key")
        .hasMessageContaining("cannot read " + file);
    assertThatThrownBy(() -> verifier.verifyServerKey(sessionWithAttributes(), null, key))
        .as("a new connection")
        .hasMessageContaining("cannot read " + file);
  }

  /** A session that keeps attributes, and does nothing else. */
  private static ClientSession sessionWithAttributes() {
    Map<Object, Object> attributes = new ConcurrentHashMap<>();
    return (ClientSession)
        Proxy.newProxyInstance(
            ClientSession.class.getClassLoader(),
            new Class<?>[] {ClientSession.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getAttribute" -> attributes.get(args[0]);
                  case "setAttribute" -> attributes.put(args[0], args[1]);
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  @Test
  void aHashedEntryMatchesOnlyTheNameItHashes() throws Exception {
    // |1|salt|HMAC-SHA1(salt, "[localhost]:2222"), as ssh-keygen -H writes it.
    PublicKey key = KeyMaterial.generate().getPublic();
    String salt = "AAECAwQFBgcICQoLDA0ODxAREhM=";
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(salt), "HmacSHA1"));
    String hash =
        Base64.getEncoder()
            .encodeToString(mac.doFinal("[localhost]:2222".getBytes(StandardCharsets.UTF_8)));
    Path file =
        Files.writeString(
            dir.resolve("known_hosts"),
            "|1|" + salt + "|" + hash + " " + KeyMaterial.publicKeyLine(key) + "\n");

    assertThat(new KnownHostsVerifier(file, "localhost", 2222).check(key)).isEmpty();
    assertThat(new KnownHostsVerifier(file, "localhost", 2223).check(key)).isPresent();
    assertThat(new KnownHostsVerifier(file, "127.0.0.1", 2222).check(key)).isPresent();
  }
}
