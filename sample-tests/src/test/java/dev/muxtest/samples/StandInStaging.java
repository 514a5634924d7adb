package dev.muxtest.samples;

import com.github.dockerjava.api.model.ContainerNetwork;
import dev.muxtest.SshTopology;
import dev.muxtest.SshdContainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Stands in for the team's staging machines in {@link StagingNetworkTest}, which a real team would
 * not need: a bastion whose SSH port this machine reaches, and on a Docker {@code --internal}
 * network behind it (which this machine cannot reach) {@code app.internal}, an SSH host with an
 * HTTP service, and {@code db.internal}, PostgreSQL. Their key and known_hosts are written to disk
 * as a user has them; after the start, only SSH is used.
 *
 * <p>The team's own {@code staging/ssh_config} (a test resource) is read as it is, after a file of
 * the stand-in's own that says where the containers answer and which key and known_hosts go with
 * them: in an ssh config the first value wins, so a developer's local file read first overrides the
 * team's file the same way.
 */
final class StandInStaging {

  /** Port of the HTTP service on app.internal. */
  static final int HTTP_PORT = 8080;

  private static final List<AutoCloseable> started = new ArrayList<>();
  private static Path directory;
  private static Path sshConfig;
  private static Machines machines;

  /**
   * Where the stand-ins answer, for a test that builds its {@code SshHost}s without a config file.
   *
   * @param bastionHost the bastion's address as this machine reaches it
   * @param bastionPort the bastion's SSH port as this machine reaches it
   * @param user the login user on every machine
   * @param identity the private key every machine accepts
   * @param knownHosts the known_hosts file holding the bastion's and app.internal's keys
   */
  record Machines(
      String bastionHost, int bastionPort, String user, Path identity, Path knownHosts) {}

  private StandInStaging() {}

  /**
   * Starts the machines (once) and returns an ssh config that reads the stand-in's file, then the
   * team's.
   */
  static synchronized Machines machines() {
    sshConfig();
    return machines;
  }

  static synchronized Path sshConfig() {
    if (sshConfig != null) {
      return sshConfig;
    }
    try {
      directory = Files.createTempDirectory("staging-");
      KeyPair key = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
      Path identity = directory.resolve("id_ecdsa");
      ByteArrayOutputStream pem = new ByteArrayOutputStream();
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "me@laptop", null, pem);
      Files.write(identity, pem.toByteArray());
      Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));

      Network reachable = network(false);
      Network internal = network(true);
      SshdContainer bastion =
          new SshdContainer().withNetwork(reachable).withAuthorizedKey(key.getPublic());
      SshdContainer app =
          new SshdContainer()
              .withNetwork(internal)
              .withNetworkAliases("app.internal")
              .withCreateContainerCmdModifier(cmd -> cmd.withHostName("app"))
              .withAuthorizedKey(key.getPublic())
              .withBackgroundCommand(
                  "mkdir -p /srv/www && echo staging-app > /srv/www/index.html"
                      + " && exec busybox httpd -f -p "
                      + HTTP_PORT
                      + " -h /srv/www");
      app.setExposedPorts(new ArrayList<>()); // on an internal network nothing is published
      GenericContainer<?> db =
          new GenericContainer<>(
                  new ImageFromDockerfile("muxtest/postgres:sample", false)
                      .withFileFromPath(".", Path.of("../docker/postgres"))
                      .withBuildArg("BASE_IMAGE", SshdContainer.configuredBaseImage()))
              .withNetwork(internal)
              .withNetworkAliases("db.internal")
              .withLabel(SshTopology.LABEL, "true")
              .withEnv("POSTGRES_PASSWORD", "secret")
              .waitingFor(
                  Wait.forLogMessage(".*database system is ready to accept connections.*", 1)
                      .withStartupTimeout(Duration.ofMinutes(5)));
      started.add(reachable);
      started.add(internal);

      bastion.start();
      started.add(0, bastion::stop);
      // The bastion's second leg: on the internal network, where it reaches the others.
      DockerClientFactory.instance()
          .client()
          .connectToNetworkCmd()
          .withContainerId(bastion.getContainerId())
          .withNetworkId(internal.getId())
          .withContainerNetwork(new ContainerNetwork().withAliases("bastion.internal"))
          .exec();
      app.start();
      started.add(0, app::stop);
      db.start();
      started.add(0, db::stop);

      // As in ~/.ssh/known_hosts: the bastion under the address and port this machine uses, the
      // app host under the name the bastion connects to.
      Path knownHosts =
          Files.writeString(
              directory.resolve("known_hosts"),
              String.join(
                  "\n",
                  "["
                      + bastion.host()
                      + "]:"
                      + bastion.port()
                      + " "
                      + PublicKeyEntry.toString(bastion.hostKey()),
                  "app.internal " + PublicKeyEntry.toString(app.hostKey()),
                  ""));
      machines =
          new Machines(bastion.host(), bastion.port(), SshdContainer.USER, identity, knownHosts);
      Path standIn =
          Files.writeString(
              directory.resolve("stand-in.conf"),
              String.join(
                  "\n",
                  "# Where the containers standing in for the staging machines answer.",
                  "Host bastion",
                  "  HostName " + bastion.host(),
                  "  Port " + bastion.port(),
                  "Host *",
                  "  User " + SshdContainer.USER,
                  "  IdentityFile " + identity,
                  "  UserKnownHostsFile " + knownHosts,
                  ""));
      Path team = Path.of(StandInStaging.class.getResource("/staging/ssh_config").toURI());
      sshConfig =
          Files.writeString(
              directory.resolve("ssh_config"),
              "Include " + standIn + "\n" + "Include " + team + "\n");
      return sshConfig;
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | URISyntaxException e) {
      stop();
      throw new IllegalStateException(e);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  private static Network network(boolean internal) {
    return Network.builder()
        .createNetworkCmdModifier(
            cmd -> cmd.withInternal(internal).withLabels(Map.of(SshTopology.LABEL, "true")))
        .build();
  }

  /** Stops the machines, removes the networks and the files. */
  static synchronized void stop() {
    for (AutoCloseable resource : started) {
      try {
        resource.close();
      } catch (Exception e) {
        // Stop the others all the same.
      }
    }
    started.clear();
    sshConfig = null;
    machines = null;
    if (directory != null) {
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      directory = null;
    }
  }
}
