package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The known_hosts file of a server outside the test ({@link SshHost}) gets the same decision on
 * both engines: the OpenSSH client's with {@code CheckHostIP no}. A container treated as an outside
 * host is reached by the name {@code localhost} on its published port, and each case writes one
 * known_hosts variant: hashed, several keys, {@code @revoked}, an entry under the address only,
 * patterns and negations, {@code [host]:port} and port-less entries.
 */
class KnownHostsParityTest {

  private static final String NAME = "localhost";

  static final SshdContainer outside = new SshdContainer();

  @TempDir static Path dir;
  static Path identity;
  static int port;
  static PublicKey hostKey;
  static PublicKey otherKeyOfThatType;
  static PublicKey p384Key;
  static PublicKey rsaKey;

  @BeforeAll
  static void startTheOutsideHost() throws Exception {
    outside.start();
    // Reached by name: the container's port must answer on this machine's loopback.
    assumeThat(InetAddress.getByName(outside.host()).isLoopbackAddress())
        .as("the Docker engine publishes ports on this machine")
        .isTrue();
    port = outside.port();
    hostKey = outside.hostKey();
    KeyPair client = KeyMaterial.generate();
    outside.authorizeKey(client.getPublic());
    identity = dir.resolve("id_ecdsa");
    Files.write(identity, KeyMaterial.openSshPrivateKey(client, "known_hosts parity"));
    Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
    otherKeyOfThatType = KeyMaterial.generate().getPublic();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    p384Key = ec.generateKeyPair().getPublic();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    rsaKey = rsa.generateKeyPair().getPublic();
  }

  @AfterAll
  static void stopIt() {
    outside.stop();
  }

  /** What OpenSSH (CheckHostIP no) decides, and what each engine says when it refuses. */
  enum Verdict {
    ACCEPTED(null, null),
    UNKNOWN("has no key for", "No ECDSA host key is known for"),
    CHANGED("holds another key for", "REMOTE HOST IDENTIFICATION HAS CHANGED"),
    REVOKED("marks @revoked", "is marked as revoked"),
    CERT_AUTHORITY_ONLY("has only @cert-authority entries for", "No ECDSA host key is known for");

    final String minaReason;
    final String openSshReason;

    Verdict(String minaReason, String openSshReason) {
      this.minaReason = minaReason;
      this.openSshReason = openSshReason;
    }
  }

  /** A known_hosts variant and OpenSSH's verdict on it. */
  record Variant(String name, Function<Path, String> contents, Verdict verdict) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> variants() {
    return Stream.of(
            new Variant(
                "[host]:port entry", f -> line("[localhost]:" + port, hostKey), Verdict.ACCEPTED),
            new Variant(
                "hashed by ssh-keygen -H",
                f -> hashed(f, line("[localhost]:" + port, hostKey)),
                Verdict.ACCEPTED),
            new Variant(
                "hashed entry of another port",
                f -> hashed(f, line("[localhost]:" + (port + 1), hostKey)),
                Verdict.UNKNOWN),
            new Variant(
                "several keys for the host, the right one last",
                f ->
                    line("[localhost]:" + port, rsaKey)
                        + line("[localhost]:" + port, p384Key)
                        + line("[localhost]:" + port, otherKeyOfThatType)
                        + line("[localhost]:" + port, hostKey),
                Verdict.ACCEPTED),
            new Variant(
                "several keys for the host, none the right one",
                f ->
                    line("[localhost]:" + port, rsaKey)
                        + line("[localhost]:" + port, p384Key)
                        + line("[localhost]:" + port, otherKeyOfThatType),
                Verdict.CHANGED),
            new Variant(
                "@revoked entry of the key, besides a plain one",
                f ->
                    line("[localhost]:" + port, hostKey)
                        + "@revoked "
                        + line("[localhost]:" + port, hostKey),
                Verdict.REVOKED),
            new Variant(
                "@revoked entry of another key",
                f ->
                    "@revoked "
                        + line("*", otherKeyOfThatType)
                        + line("[localhost]:" + port, hostKey),
                Verdict.ACCEPTED),
            new Variant(
                "entry under the address only, connecting by name",
                f -> line("[127.0.0.1]:" + port, hostKey),
                Verdict.UNKNOWN),
            new Variant("* pattern", f -> line("*", hostKey), Verdict.ACCEPTED),
            new Variant("? pattern", f -> line("[l?calho?t]:" + port, hostKey), Verdict.ACCEPTED),
            new Variant(
                "port given by a pattern", f -> line("[localhost]:*", hostKey), Verdict.ACCEPTED),
            new Variant(
                "* pattern with the host negated, with and without its port",
                f -> line("*,!localhost,![localhost]:" + port, hostKey),
                Verdict.UNKNOWN),
            new Variant(
                "* pattern with the host negated with its port only (the port-less lookup matches *)",
                f -> line("*,![localhost]:" + port, hostKey),
                Verdict.ACCEPTED),
            new Variant(
                "* pattern with another host negated",
                f -> line("*,!otherhost", hostKey),
                Verdict.ACCEPTED),
            new Variant(
                "the host among others",
                f -> line("otherhost,[localhost]:" + port, hostKey),
                Verdict.ACCEPTED),
            new Variant(
                "upper-case entry", f -> line("[LOCALHOST]:" + port, hostKey), Verdict.ACCEPTED),
            new Variant(
                "port-less entry, nothing under [host]:port (OpenSSH falls back to it)",
                f -> line("localhost", hostKey),
                Verdict.ACCEPTED),
            new Variant(
                "port-less entry, and a key of another type under [host]:port",
                f -> line("[localhost]:" + port, rsaKey) + line("localhost", hostKey),
                Verdict.CHANGED),
            new Variant(
                "port-less entry, @revoked as well",
                f -> line("localhost", hostKey) + "@revoked " + line("localhost", hostKey),
                Verdict.REVOKED),
            new Variant(
                "entry of another port",
                f -> line("[localhost]:" + (port + 1), hostKey),
                Verdict.UNKNOWN),
            new Variant(
                "port-less entry under the address only, connecting by name",
                f -> line("127.0.0.1", hostKey),
                Verdict.UNKNOWN),
            new Variant(
                "@cert-authority entry only",
                f -> "@cert-authority " + line("*", hostKey),
                Verdict.CERT_AUTHORITY_ONLY),
            new Variant("empty file", f -> "", Verdict.UNKNOWN),
            new Variant(
                "comments, and lines that do not parse before the entry",
                f ->
                    "# known hosts\n"
                        + "garbage\n"
                        + "@unknown-marker "
                        + line("[localhost]:" + port, otherKeyOfThatType)
                        + "[localhost]:"
                        + port
                        + " ssh-unknown AAAAB3NzaC1yc2E\n"
                        + "[localhost]:"
                        + port
                        + " "
                        + KeyMaterial.publicKeyLine(hostKey)
                        + " a comment after the key\n",
                Verdict.ACCEPTED))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void bothEnginesTakeTheSameDecision(Variant variant) throws Exception {
    Path knownHosts = dir.resolve("known_hosts-" + Integer.toHexString(variant.name().hashCode()));
    Files.writeString(knownHosts, variant.contents().apply(knownHosts));
    SshHost host = SshHost.of(NAME, port, SshdContainer.USER, identity, knownHosts);

    Map<Engine, String> refusals = new EnumMap<>(Engine.class);
    for (Engine engine : List.of(Engine.MINA, Engine.OPENSSH)) {
      refusals.put(engine, outcome(host, engine));
    }

    Verdict verdict = variant.verdict();
    if (verdict == Verdict.ACCEPTED) {
      assertThat(refusals)
          .as("outcome per engine")
          .isEqualTo(Map.of(Engine.MINA, "accepted", Engine.OPENSSH, "accepted"));
    } else {
      assertThat(refusals.get(Engine.MINA))
          .as("MINA")
          .contains("Server key did not validate: [localhost]:" + port)
          .contains(knownHosts.toString())
          .contains(verdict.minaReason);
      assertThat(refusals.get(Engine.OPENSSH))
          .as("OPENSSH")
          .contains("Host key verification failed")
          .contains(verdict.openSshReason);
    }
  }

  /** "accepted" after a command ran over the master, or the message of its refusal. */
  private static String outcome(SshHost host, Engine engine) {
    try (CloseableSshMaster master =
        SshMasters.connect(
            host,
            MasterOptions.defaults()
                .withEngine(engine)
                .withConnectTimeout(Duration.ofSeconds(15)))) {
      assertThat(master.exec("echo ok").stdout()).isEqualTo("ok\n");
      return "accepted";
    } catch (SshOperationException e) {
      return e.getMessage();
    }
  }

  private static String line(String hosts, PublicKey key) {
    return hosts + " " + KeyMaterial.publicKeyLine(key) + "\n";
  }

  /** {@code lines} hashed by OpenSSH's own ssh-keygen. */
  private static String hashed(Path file, String lines) {
    try {
      Files.writeString(file, lines);
      Process keygen =
          new ProcessBuilder("ssh-keygen", "-q", "-H", "-f", file.toString())
              .redirectErrorStream(true)
              .start();
      keygen.getOutputStream().close();
      if (!keygen.waitFor(30, TimeUnit.SECONDS)) {
        keygen.destroyForcibly();
        throw new AssertionError("ssh-keygen -H did not end within 30 s");
      }
      String output = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(keygen.exitValue()).as("ssh-keygen -H: %s", output).isZero();
      String hashedLines = Files.readString(file);
      assertThat(hashedLines).startsWith("|1|").doesNotContain("localhost");
      Files.deleteIfExists(Path.of(file + ".old"));
      return hashedLines;
    } catch (IOException e) {
      throw new AssertionError("Cannot hash " + file, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted hashing " + file, e);
    }
  }
}
