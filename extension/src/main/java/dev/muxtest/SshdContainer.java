package dev.muxtest;

import dev.muxtest.internal.container.AuthorizedKeyPool;
import dev.muxtest.internal.container.LoginIndex;
import dev.muxtest.internal.container.SshdImage;
import dev.muxtest.internal.container.SshdLayout;
import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Settings;
import dev.muxtest.internal.engine.SshdLogLine;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startable;

/**
 * A real OpenSSH sshd in a container, built from the project's own Dockerfile.
 *
 * <p>Public-key authentication only, for the user {@value #USER}; TCP forwarding allowed; sshd logs
 * at INFO to the container output. Every instance has a fresh host key, made in Java, that clients
 * pin through {@link #hostKey()}.
 *
 * <p>With a Docker engine on the test machine, the SSH port is published on 127.0.0.1 only, not on
 * all the machine's interfaces; with a remote engine ({@code DOCKER_HOST} of another machine),
 * Testcontainers' default applies.
 *
 * <p>The base image is {@code debian:bookworm-slim} unless the system property {@code
 * muxtest.sshd.baseImage} or the environment variable {@code MUXTEST_BASE_IMAGE} names another (a
 * locally imported Debian image on machines without a registry).
 */
public non-sealed class SshdContainer extends GenericContainer<SshdContainer> implements SshTarget {

  /** Port sshd listens on inside the container. */
  public static final int SSH_PORT = 22;

  /** The login user. */
  public static final String USER = "tester";

  /** The build argument naming the muxtest sshd image to a Dockerfile of your own. */
  private static final String SSHD_IMAGE_ARG = "SSHD_IMAGE";

  /** MaxSessions of docker/sshd/sshd_config; keep the two in step. */
  private static final int IMAGE_MAX_SESSIONS = 200;

  private final KeyPair hostKey = KeyMaterial.generate();
  private final AuthorizedKeyPool keys = new AuthorizedKeyPool(this, SshdLayout.AUTHORIZED_KEYS);
  private final LoginIndex logins = new LoginIndex(USER);

  /** Started along with this container (by a topology); stopped after it. */
  private final List<Startable> stopsWith = new CopyOnWriteArrayList<>();

  private int backgroundCommands;
  private SshdContainer jumpHost;
  private int maxSessions = IMAGE_MAX_SESSIONS;

  /** A container on the configured or default base image. */
  public SshdContainer() {
    this(configuredBaseImage());
  }

  /** A container whose image is built on {@code baseImage}. */
  public SshdContainer(String baseImage) {
    super(SshdImage.on(baseImage));
    SshdLayout.setUp(this, hostKey, logins);
  }

  /**
   * A container whose image is built from a Dockerfile of your own that extends the muxtest sshd
   * image, for services that must run beside sshd (a database reached through its UNIX socket,
   * say). The Dockerfile names its parent by the build argument {@code SSHD_IMAGE} ({@code ARG
   * SSHD_IMAGE} then {@code FROM ${SSHD_IMAGE}}): the sshd image is built first, on the {@linkplain
   * #configuredBaseImage() configured base image}, and its tag passed in. Keep what the container
   * relies on: the user, sshd_config, host key and authorized_keys paths, and an entrypoint that
   * ends by running the sshd image's ({@code exec /usr/local/bin/muxtest-entrypoint}).
   *
   * <pre>{@code
   * new SshdContainer(new ImageFromDockerfile("my/sshd-postgres", false)
   *     .withFileFromPath(".", Path.of("docker/sshd-postgres")))
   * }</pre>
   */
  public SshdContainer(ImageFromDockerfile image) {
    super(SshdImage.extendedBy(image, SSHD_IMAGE_ARG, configuredBaseImage()));
    SshdLayout.setUp(this, hostKey, logins);
  }

  /**
   * The base image named by the system property {@code muxtest.sshd.baseImage}, the environment
   * variable {@code MUXTEST_BASE_IMAGE}, or the default, {@code debian:bookworm-slim}.
   */
  public static String configuredBaseImage() {
    return Settings.configuredBaseImage();
  }

  /**
   * Runs {@code shellCommand} with {@code sh} as root in the background when the container starts,
   * before sshd accepts connections; for services that listen only inside the container. Its output
   * goes to a file under /var/log in the container.
   */
  public SshdContainer withBackgroundCommand(String shellCommand) {
    return withCopyToContainer(
        Transferable.of(shellCommand + "\n", 0755), SshdLayout.service(++backgroundCommands));
  }

  /**
   * Sets an sshd option, taking precedence over the image's own sshd_config; for example {@code
   * withSshdOption("MaxSessions", "1")}.
   */
  public SshdContainer withSshdOption(String keyword, String value) {
    if (!keyword.matches("[A-Za-z]+") || value.contains("\n")) {
      throw new IllegalArgumentException("Not an sshd option: " + keyword + " " + value);
    }
    if (keyword.equalsIgnoreCase("MaxSessions") && value.strip().matches("\\d+")) {
      maxSessions = Integer.parseInt(value.strip());
    }
    return withCopyToContainer(
        Transferable.of(keyword + " " + value + "\n", 0644), SshdLayout.sshdOption(keyword));
  }

  /** Authorizes {@code key} for {@value #USER} before the container starts. */
  public SshdContainer withAuthorizedKey(PublicKey key) {
    keys.add(key);
    return this;
  }

  /**
   * Makes this server reachable only through {@code bastion}, as OpenSSH's {@code ProxyJump} does:
   * a master connects to the bastion (the one TCP connection of the test JVM), and the bastion
   * connects to this server by its network alias on port {@value #SSH_PORT}. Both must share a
   * Docker network; {@link SshTopology} builds such a pair. This container publishes no port of its
   * own.
   */
  public SshdContainer withJumpHost(SshdContainer bastion) {
    if (bastion == this) {
      throw new IllegalArgumentException("An SSH server cannot be its own jump host");
    }
    this.jumpHost = bastion;
    setExposedPorts(new ArrayList<>()); // reached through the bastion only
    return this;
  }

  /** Host on which the SSH port is reachable from the test JVM. */
  public String host() {
    return getHost();
  }

  /** Port on {@link #host()} that leads to sshd. */
  public int port() {
    return getMappedPort(SSH_PORT);
  }

  /** The login user, {@value #USER}. */
  public String user() {
    return USER;
  }

  /** The sshd's host key; clients pin it instead of accepting any key. */
  public PublicKey hostKey() {
    return hostKey.getPublic();
  }

  /** The sshd's MaxSessions: sessions (commands) it allows at once on one connection. */
  public int maxSessions() {
    return maxSessions;
  }

  /** The bastion this server is reached through, if any. */
  public Optional<SshdContainer> jumpHost() {
    return Optional.ofNullable(jumpHost);
  }

  /** The name other containers on its network reach this server by: its first alias. */
  public String networkHostName() {
    return getNetworkAliases().get(0);
  }

  /** Authorizes {@code key} for {@value #USER}, also while the container runs. */
  public void authorizeKey(PublicKey key) {
    keys.authorize(key);
  }

  /**
   * A key pair made for one caller alone and already authorised for {@value #USER}: never handed
   * out before, and never in any other container (keys are authorised in batches, sparing a command
   * in the container per master).
   *
   * @throws IllegalStateException if the container is not running
   */
  public KeyPair newAuthorizedKeyPair() {
    return keys.newAuthorizedKeyPair();
  }

  /**
   * The sshd log lines of connections authenticated with the key of that SHA-256 fingerprint
   * ({@code SHA256:...}, as in {@link ConnectionReport#keyFingerprint()}).
   */
  public List<String> acceptedPublicKeyLogins(String fingerprint) {
    return SshdLogLine.publicKeyLogins(getLogs(), USER, fingerprint);
  }

  /**
   * The sshd log lines of connections authenticated with {@code clientKey}, one line per
   * authenticated TCP connection.
   */
  public List<String> acceptedPublicKeyLogins(PublicKey clientKey) {
    return acceptedPublicKeyLogins(KeyMaterial.fingerprint(clientKey));
  }

  /**
   * The lines of {@link #acceptedPublicKeyLogins(PublicKey)} the container's output stream has
   * delivered so far (the log itself if the stream ended while the container runs): they may trail
   * the log by a moment, so wait for a count rather than read once.
   */
  public List<String> acceptedPublicKeyLoginsSoFar(PublicKey clientKey) {
    return logins.soFar(KeyMaterial.fingerprint(clientKey), this::isRunning, this::getLogs);
  }

  /** The last lines the container printed (sshd logs to it), also after the container is gone. */
  public List<String> recentLog() {
    return logins.recentLog();
  }

  /** Stops {@code other} after this container stops (a topology's bastion and networks). */
  void stopsWith(Startable other) {
    stopsWith.add(0, other); // newest first: services before the bastion and networks
  }

  @Override
  public void stop() {
    try {
      super.stop();
    } finally {
      stopsWith.forEach(Startable::stop);
    }
  }

  @Override
  protected void containerIsCreated(String containerId) {
    logins.reset(); // a new container: a new log
    keys.writeForNewContainer();
  }
}
