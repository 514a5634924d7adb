package dev.muxtest;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.KeyMaterial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.images.builder.Transferable;

/**
 * {@code CertificateFile} from an ssh config, against a real sshd that trusts a user CA and has no
 * authorized key for the client: the OpenSSH engine logs in with the certificate, and fails without
 * it; the MINA engine refuses such a host before connecting, naming the engine that offers it.
 */
class CertificateFileTest {

  static final String CA = "/etc/ssh/muxtest_user_ca.pub";

  @TempDir static Path dir;
  static SshdContainer server;
  static Path key;
  static Path certificate;
  static Path knownHosts;

  @BeforeAll
  static void signAKeyAndStartAServerThatTrustsOnlyTheCa() throws Exception {
    Path ca = dir.resolve("ca");
    run(
        "ssh-keygen",
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "muxtest test ca",
        "-f",
        ca.toString());
    KeyPair pair = KeyMaterial.generate();
    key = dir.resolve("id_ecdsa");
    Files.write(key, KeyMaterial.openSshPrivateKey(pair, "certificate test key"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(
        dir.resolve("id_ecdsa.pub"), KeyMaterial.publicKeyLine(pair.getPublic()) + "\n");
    server =
        new SshdContainer()
            .withCopyToContainer(Transferable.of(Files.readString(dir.resolve("ca.pub")), 0644), CA)
            .withSshdOption("TrustedUserCAKeys", CA);
    server.start();
    // Principal: the container's login user; valid for an hour.
    run(
        "ssh-keygen",
        "-q",
        "-s",
        ca.toString(),
        "-I",
        "muxtest-test",
        "-n",
        server.user(),
        "-V",
        "-5m:+1h",
        dir.resolve("id_ecdsa.pub").toString());
    // Away from the key: OpenSSH also loads <key>-cert.pub by itself, so only CertificateFile can
    // bring this one.
    certificate =
        Files.move(
            dir.resolve("id_ecdsa-cert.pub"),
            Files.createDirectories(dir.resolve("certs")).resolve("staging-cert.pub"));
    knownHosts =
        Files.writeString(
            dir.resolve("known_hosts"),
            "["
                + server.host()
                + "]:"
                + server.port()
                + " "
                + KeyMaterial.publicKeyLine(server.hostKey())
                + "\n");
  }

  @AfterAll
  static void stopTheServer() {
    if (server != null) {
      server.stop();
    }
  }

  private static Path config(boolean withCertificate) throws Exception {
    return Files.writeString(
        Files.createTempFile(dir, "config", ""),
        String.join(
            "\n",
            "Host certified",
            "  HostName " + server.host(),
            "  Port " + server.port(),
            "  User " + server.user(),
            "  IdentityFile " + key,
            withCertificate ? "  CertificateFile " + certificate : "",
            "  UserKnownHostsFile " + knownHosts,
            ""));
  }

  @Test
  void theOpenSshEngineLogsInWithTheCertificate() throws Exception {
    SshHost host = SshHost.fromSshConfig(config(true), "certified");
    assertThat(host.certificateFile()).contains(certificate);

    try (CloseableSshMaster master =
        SshMasters.connect(host, MasterOptions.engine(Engine.OPENSSH))) {
      assertThat(master.exec("whoami").stdout().strip()).isEqualTo(server.user());
    }
  }

  @Test
  void withoutTheCertificateTheKeyAloneIsRefusedByTheServer() throws Exception {
    SshHost host = SshHost.fromSshConfig(config(false), "certified");

    assertThatThrownBy(() -> SshMasters.connect(host, MasterOptions.engine(Engine.OPENSSH)).close())
        .isInstanceOf(SshOperationException.class);
  }

  @Test
  void theMinaEngineRefusesAHostWithACertificateNamingTheOtherEngine() throws Exception {
    SshHost host = SshHost.fromSshConfig(config(true), "certified");

    assertThatThrownBy(() -> SshMasters.connect(host, MasterOptions.engine(Engine.MINA)).close())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            host
                + ": the certificate file "
                + certificate
                + " (CertificateFile) is not supported by the MINA engine; use the OpenSSH engine"
                + " (muxtest.engine=OPENSSH), which offers it");
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, SECONDS)).as("%s finished", command[0]).isTrue();
    assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
  }
}
