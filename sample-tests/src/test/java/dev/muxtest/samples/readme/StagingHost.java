package dev.muxtest.samples.readme;

import dev.muxtest.SshdContainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * Plays the team's staging host for {@link StagingTest}: a container with a key, a known_hosts file
 * and an ssh config written to disk as a user has them. In a real repository these files exist
 * already and point at a real host.
 */
final class StagingHost {

  private static SshdContainer container;
  private static Path directory;

  private StagingHost() {}

  /** Starts the host (once) and returns the path of an ssh config with a {@code Host staging}. */
  static synchronized Path sshConfig() {
    try {
      if (container == null) {
        container = new SshdContainer();
        container.start();
        directory = Files.createTempDirectory("staging-");
        KeyPair key = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        container.authorizeKey(key.getPublic());
        Path identity = directory.resolve("ci_key");
        ByteArrayOutputStream pem = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "ci", null, pem);
        Files.write(identity, pem.toByteArray());
        Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
        Path knownHosts = directory.resolve("known_hosts");
        Files.writeString(
            knownHosts,
            "["
                + container.host()
                + "]:"
                + container.port()
                + " "
                + PublicKeyEntry.toString(container.hostKey())
                + "\n");
        Files.writeString(
            directory.resolve("ssh_config"),
            String.join(
                "\n",
                "Host staging",
                "  HostName " + container.host(),
                "  Port " + container.port(),
                "  User " + container.user(),
                "  IdentityFile " + identity,
                "  UserKnownHostsFile " + knownHosts,
                ""));
      }
      return directory.resolve("ssh_config");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the host and removes its files. */
  static synchronized void stop() throws IOException {
    if (container != null) {
      container.stop();
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
      container = null;
    }
  }
}
