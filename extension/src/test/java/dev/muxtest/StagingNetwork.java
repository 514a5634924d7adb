package dev.muxtest;

import com.github.dockerjava.api.model.ContainerNetwork;
import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;

/**
 * Three sshd containers treated as real machines, as a team's staging network: a bastion the test
 * machine reaches (its SSH port published on loopback), and two hosts on a Docker {@code
 * --internal} network behind it, {@value #APP} and {@value #DB}, which the test machine cannot
 * reach. Each host serves its own host name over HTTP on port {@value #HTTP_PORT} (busybox httpd),
 * so that a forward shows where it lands.
 *
 * <p>What a user has on disk is written into a directory: one key pair per host (authorised on that
 * host alone, before it starts) and one known_hosts file per host, holding that host's key under
 * the name the hop before it connects to ({@code [host]:port} for the bastion, {@value #APP} and
 * {@value #DB} for the others). After {@link #start} the containers are reached only over SSH; the
 * sshd logs (the containers' output) are read as the hosts' login logs.
 */
public final class StagingNetwork implements AutoCloseable {

  /** The application host's name on the internal network. */
  public static final String APP = "app.internal";

  /** The database host's name on the internal network. */
  public static final String DB = "db.internal";

  /** The bastion's name on the internal network. */
  public static final String BASTION = "bastion.internal";

  /** Port of each host's HTTP service, which answers with the host's short name. */
  public static final int HTTP_PORT = 8080;

  private final Path dir;
  private final Network reachable = network(false);
  private final Network internal = network(true);
  private final SshdContainer bastion = host("bastion");
  private final SshdContainer app = host("app");
  private final SshdContainer db = host("db");
  private final Map<String, SshdContainer> byName =
      Map.of("bastion", bastion, "app", app, "db", db);
  private final List<AutoCloseable> started = new ArrayList<>();
  private SshHost bastionHost;
  private SshHost appHost;
  private SshHost dbHost;

  /** The network, its files to be written into {@code dir}. */
  public StagingNetwork(Path dir) {
    this.dir = dir;
    bastion.withNetwork(reachable);
    app.withNetwork(internal).withNetworkAliases(APP);
    db.withNetwork(internal).withNetworkAliases(DB);
    // An internal network publishes no port: the test machine reaches them through the bastion.
    app.setExposedPorts(new ArrayList<>());
    db.setExposedPorts(new ArrayList<>());
  }

  private static SshdContainer host(String name) {
    SshdContainer host =
        new SshdContainer()
            .withCreateContainerCmdModifier(cmd -> cmd.withHostName(name))
            .withBackgroundCommand(
                "mkdir -p /srv/www && hostname > /srv/www/index.html && exec busybox httpd -f -p "
                    + HTTP_PORT
                    + " -h /srv/www");
    return host;
  }

  private static Network network(boolean isInternal) {
    return Network.builder()
        .createNetworkCmdModifier(
            cmd -> cmd.withInternal(isInternal).withLabels(Map.of(SshTopology.LABEL, "true")))
        .build();
  }

  /**
   * Writes a key pair per host, authorises each on its host, starts the bastion (joined to the
   * internal network as {@value #BASTION}) and the two internal hosts, and writes their known_hosts
   * files.
   */
  public StagingNetwork start() {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, SshdContainer> host : byName.entrySet()) {
        KeyPair key = KeyMaterial.generate();
        Path identity = identityFile(host.getKey());
        Files.write(identity, KeyMaterial.openSshPrivateKey(key, "user@laptop " + host.getKey()));
        Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
        host.getValue().withAuthorizedKey(key.getPublic());
      }
      bastion.start();
      started.add(bastion::stop);
      DockerClientFactory.instance()
          .client()
          .connectToNetworkCmd()
          .withContainerId(bastion.getContainerId())
          .withNetworkId(internal.getId())
          .withContainerNetwork(new ContainerNetwork().withAliases(BASTION))
          .exec();
      app.start();
      started.add(app::stop);
      db.start();
      started.add(db::stop);
      String bastionName = bastion.host();
      int bastionPort = bastion.port();
      bastionHost =
          SshHost.of(
                  bastionName,
                  bastionPort,
                  SshdContainer.USER,
                  identityFile("bastion"),
                  knownHosts("bastion", "[" + bastionName + "]:" + bastionPort, bastion))
              .withLoginLog(bastion::getLogs);
      appHost =
          SshHost.of(
                  APP,
                  SshdContainer.SSH_PORT,
                  SshdContainer.USER,
                  identityFile("app"),
                  knownHosts("app", APP, app))
              .withLoginLog(app::getLogs);
      dbHost =
          SshHost.of(
                  DB,
                  SshdContainer.SSH_PORT,
                  SshdContainer.USER,
                  identityFile("db"),
                  knownHosts("db", DB, db))
              .withLoginLog(db::getLogs);
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("Cannot write the staging network's files in " + dir, e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private Path identityFile(String host) {
    return dir.resolve("id_ecdsa_" + host);
  }

  private Path knownHosts(String host, String name, SshdContainer container) throws IOException {
    return Files.writeString(
        dir.resolve("known_hosts_" + host),
        name + " " + KeyMaterial.publicKeyLine(container.hostKey()) + "\n");
  }

  /** The bastion, as a user's laptop reaches it: by its published port on loopback. */
  public SshHost bastion() {
    return bastionHost;
  }

  /** The application host, by its name on the internal network; give it a jump host. */
  public SshHost app() {
    return appHost;
  }

  /** The database host, by its name on the internal network; give it a jump host. */
  public SshHost db() {
    return dbHost;
  }

  /**
   * {@code host} with a known_hosts file of its own that holds another key under its name: what the
   * client sees when an impostor answers in its place. Its jump host is not kept.
   */
  public SshHost withImpostorKey(SshHost host) {
    String name =
        host.port() == SshdContainer.SSH_PORT
            ? host.host()
            : "[" + host.host() + "]:" + host.port();
    try {
      Path wrong =
          Files.writeString(
              Files.createTempFile(dir, "known_hosts_impostor_", ""),
              name + " " + KeyMaterial.publicKeyLine(KeyMaterial.generate().getPublic()) + "\n");
      return SshHost.of(host.host(), host.port(), host.user(), host.identityFile(), wrong);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the hosts, then removes the networks. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // Stop the others all the same.
      }
    }
    started.clear();
    internal.close();
    reachable.close();
  }
}
