package dev.muxtest;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.assertj.MuxAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.testcontainers.images.builder.Transferable;

/**
 * Keys as users have them: identity files made by the real {@code ssh-keygen} ({@code -t ed25519},
 * its default, and {@code -t rsa}) log in on both engines, through {@link SshHost#of} and through
 * an ssh_config file; the server presents an Ed25519 host key (what real hosts offer first), pinned
 * in a known_hosts file. A passphrase-protected key still fails with its clear message.
 */
class SshKeygenKeysTest {

  static final String HOST_KEY = "/etc/ssh/muxtest_ed25519_host_key";

  @TempDir static Path dir;
  static SshdContainer server;
  static Path knownHosts;

  enum KeyType {
    ED25519("ed25519"),
    RSA("rsa");

    final String keygenType;

    KeyType(String keygenType) {
      this.keygenType = keygenType;
    }
  }

  @BeforeAll
  static void startAServerWithAnEd25519HostKeyThatTrustsTheKeygenKeys() throws Exception {
    Path hostKey = dir.resolve("host_key");
    keygen("-t", "ed25519", "-N", "", "-C", "muxtest host", "-f", hostKey.toString());
    for (KeyType type : KeyType.values()) {
      keygen("-t", type.keygenType, "-N", "", "-C", "user", "-f", identity(type).toString());
    }
    keygen("-t", "ed25519", "-N", "secret", "-C", "locked", "-f", dir.resolve("locked").toString());
    server =
        new SshdContainer()
            .withCopyToContainer(Transferable.of(Files.readString(hostKey), 0600), HOST_KEY)
            .withSshdOption("HostKey", HOST_KEY);
    server.start();
    for (KeyType type : KeyType.values()) {
      server.authorizeKey(publicKey(Path.of(identity(type) + ".pub")));
    }
    server.authorizeKey(publicKey(dir.resolve("locked.pub")));
    knownHosts =
        Files.writeString(
            dir.resolve("known_hosts"),
            "["
                + server.host()
                + "]:"
                + server.port()
                + " "
                + Files.readString(Path.of(hostKey + ".pub")).strip()
                + "\n");
  }

  @AfterAll
  static void stopTheServer() {
    if (server != null) {
      server.stop();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void anEd25519IdentityFileLogsInThroughSshHostOf(Engine engine) {
    assertLogsIn(host(KeyType.ED25519), engine);
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void anRsaIdentityFileLogsInThroughSshHostOf(Engine engine) {
    assertLogsIn(host(KeyType.RSA), engine);
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void eachKeygenKeyLogsInThroughAnSshConfigFile(Engine engine) throws Exception {
    for (KeyType type : KeyType.values()) {
      Path config =
          Files.writeString(
              dir.resolve("config-" + type),
              String.join(
                  "\n",
                  "Host keygen",
                  "  HostName " + server.host(),
                  "  Port " + server.port(),
                  "  User " + server.user(),
                  "  IdentityFile " + identity(type),
                  "  UserKnownHostsFile " + knownHosts,
                  ""));
      assertLogsIn(SshHost.fromSshConfig(config, "keygen"), engine);
    }
  }

  @Test
  void aPassphraseProtectedEd25519KeyIsRefusedWithItsMessage() {
    assertThatThrownBy(
            () ->
                SshHost.of(
                    server.host(), server.port(), server.user(), dir.resolve("locked"), knownHosts))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("passphrase")
        .hasMessageContaining(dir.resolve("locked").toString());
  }

  private static void assertLogsIn(SshHost host, Engine engine) {
    try (CloseableSshMaster master = SshMasters.connect(host, MasterOptions.engine(engine))) {
      assertThat(master.exec("whoami").stdout().strip()).isEqualTo(server.user());
      MuxAssertions.assertThat(master).hasOpenedTcpConnections(1);
    }
  }

  private static SshHost host(KeyType type) {
    return SshHost.of(server.host(), server.port(), server.user(), identity(type), knownHosts);
  }

  private static Path identity(KeyType type) {
    return dir.resolve("id_" + type.keygenType);
  }

  private static PublicKey publicKey(Path file) throws Exception {
    List<AuthorizedKeyEntry> entries = AuthorizedKeyEntry.readAuthorizedKeys(file);
    assertThat(entries).as("keys in %s", file).hasSize(1);
    return entries.get(0).resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
  }

  private static void keygen(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, SECONDS)).as("ssh-keygen finished").isTrue();
    assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
  }
}
