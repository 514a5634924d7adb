package dev.muxtest;

import dev.muxtest.internal.container.LoopbackPorts;
import dev.muxtest.internal.container.SshdImage;
import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startable;

/**
 * A real OpenSSH sshd in a container, built from the project's own Dockerfile.
 *
 * <p>Public-key authentication only, for the user {@value #USER}; TCP forwarding allowed; sshd logs
 * at INFO to the container output. Every instance has a fresh host key, made in Java, that clients
 * pin through {@link #getHostKey()}.
 *
 * <p>With a Docker engine on the test machine, the SSH port is published on 127.0.0.1 only, not on
 * all the machine's interfaces; with a remote engine ({@code DOCKER_HOST} of another machine),
 * Testcontainers' default applies.
 *
 * <p>The base image is {@value #DEFAULT_BASE_IMAGE} unless the system property {@value
 * #BASE_IMAGE_PROPERTY} or the environment variable {@value #BASE_IMAGE_ENV} names another (a
 * locally imported Debian image on machines without a registry).
 */
public class SshdContainer extends GenericContainer<SshdContainer> {

  /** Port sshd listens on inside the container. */
  public static final int SSH_PORT = 22;

  /** The login user. */
  public static final String USER = "tester";

  /** System property naming the base image. */
  public static final String BASE_IMAGE_PROPERTY = "muxtest.sshd.baseImage";

  /** Environment variable naming the base image, used when the system property is not set. */
  public static final String BASE_IMAGE_ENV = "MUXTEST_BASE_IMAGE";

  /** Base image used when neither the property nor the environment variable is set. */
  public static final String DEFAULT_BASE_IMAGE = "debian:bookworm-slim";

  /**
   * The build argument naming the muxtest sshd image to a Dockerfile of {@link
   * #SshdContainer(ImageFromDockerfile)}.
   */
  public static final String SSHD_IMAGE_ARG = "SSHD_IMAGE";

  /** Label on every container of this class, so leftovers of a killed JVM can be found. */
  public static final String LABEL = "dev.muxtest.sshd";

  private static final String HOST_KEY_PATH = "/etc/ssh/muxtest_host_key";
  private static final String AUTHORIZED_KEYS_PATH = "/etc/ssh/authorized_keys/" + USER;
  private static final String SERVICES_DIR = "/etc/muxtest/init.d/";
  private static final String SSHD_OPTIONS_DIR = "/etc/ssh/sshd_config.d/";

  private final KeyPair hostKey = KeyMaterial.generate();
  private final List<PublicKey> authorizedKeys = new CopyOnWriteArrayList<>();

  /** MaxSessions of docker/sshd/sshd_config; keep the two in step. */
  private static final int IMAGE_MAX_SESSIONS = 200;

  private static final int RECENT_LOG_LINES = 50;

  /**
   * The last lines of the container's output, kept as they come: readable even after it is gone.
   */
  private final Deque<String> recentLog = new ArrayDeque<>();

  /**
   * The "Accepted publickey" lines of the container's output, by key fingerprint, as they stream
   * in: the proof at the end of every class reads them here, not the whole log again.
   */
  private final Map<String, List<String>> streamedLogins = new HashMap<>();

  /** Whether the output stream of the running container is followed (and has not ended). */
  private boolean followingLog; // guarded by streamedLogins

  private int backgroundCommands;
  private SshdContainer jumpHost;

  /** Started along with this container (by a topology); stopped after it. */
  private final List<Startable> stopsWith = new CopyOnWriteArrayList<>();

  private int maxSessions = IMAGE_MAX_SESSIONS;

  /** A container on the configured or default base image. */
  public SshdContainer() {
    this(configuredBaseImage());
  }

  /** A container whose image is built on {@code baseImage}. */
  public SshdContainer(String baseImage) {
    super(SshdImage.on(baseImage));
    setUp();
  }

  /**
   * A container whose image is built from a Dockerfile of your own that extends the muxtest sshd
   * image, for services that must run beside sshd (a database reached through its UNIX socket,
   * say). The Dockerfile names its parent by the build argument {@value #SSHD_IMAGE_ARG} ({@code
   * ARG SSHD_IMAGE} then {@code FROM ${SSHD_IMAGE}}): the sshd image is built first, on the
   * {@linkplain #configuredBaseImage() configured base image}, and its tag passed in. Keep what the
   * container relies on: the user, sshd_config, host key and authorized_keys paths, and an
   * entrypoint that ends by running the sshd image's ({@code exec
   * /usr/local/bin/muxtest-entrypoint}).
   *
   * <pre>{@code
   * new SshdContainer(new ImageFromDockerfile("my/sshd-postgres", false)
   *     .withFileFromPath(".", Path.of("docker/sshd-postgres")))
   * }</pre>
   */
  public SshdContainer(ImageFromDockerfile image) {
    super(SshdImage.extendedBy(image, SSHD_IMAGE_ARG, configuredBaseImage()));
    setUp();
  }

  /** What every container of this class has, whichever its image. */
  private void setUp() {
    withExposedPorts(SSH_PORT);
    // Testcontainers publishes on all interfaces: anyone on the network could reach the test sshd.
    withCreateContainerCmdModifier(LoopbackPorts::bindLoopbackIfLocal);
    withLabel(LABEL, "true");
    withCopyToContainer(
        Transferable.of(KeyMaterial.openSshPrivateKey(hostKey, "muxtest host key"), 0600),
        HOST_KEY_PATH);
    waitingFor(
        Wait.forLogMessage("(?s).*Server listening on 0\\.0\\.0\\.0 port 22\\..*", 1)
            .withStartupTimeout(Duration.ofSeconds(120)));
    withLogConsumer(this::remember);
  }

  private void remember(OutputFrame frame) {
    if (frame.getType() == OutputFrame.OutputType.END) {
      synchronized (streamedLogins) {
        followingLog = false; // the container stopped, or its stream broke: read the log itself
      }
      return;
    }
    String line = frame.getUtf8StringWithoutLineEnding();
    if (line.isBlank()) {
      return;
    }
    String stripped = line.strip();
    synchronized (streamedLogins) {
      followingLog = true;
      if (isLogin(stripped)) {
        streamedLogins
            .computeIfAbsent(
                stripped.substring(stripped.lastIndexOf(' ') + 1), k -> new ArrayList<>())
            .add(stripped);
      }
    }
    synchronized (recentLog) {
      recentLog.addLast(line);
      while (recentLog.size() > RECENT_LOG_LINES) {
        recentLog.removeFirst();
      }
    }
  }

  /** The last lines the container printed (sshd logs to it), also after the container is gone. */
  public List<String> recentLog() {
    synchronized (recentLog) {
      return List.copyOf(recentLog);
    }
  }

  /**
   * The base image named by {@value #BASE_IMAGE_PROPERTY}, {@value #BASE_IMAGE_ENV}, or the
   * default.
   */
  public static String configuredBaseImage() {
    String fromProperty = System.getProperty(BASE_IMAGE_PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return fromProperty.strip();
    }
    String fromEnv = System.getenv(BASE_IMAGE_ENV);
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : DEFAULT_BASE_IMAGE;
  }

  /**
   * Runs {@code shellCommand} with {@code sh} as root in the background when the container starts,
   * before sshd accepts connections; for services that listen only inside the container. Its output
   * goes to a file under /var/log in the container.
   */
  public SshdContainer withBackgroundCommand(String shellCommand) {
    String name = String.format("%02d-service", ++backgroundCommands);
    return withCopyToContainer(Transferable.of(shellCommand + "\n", 0755), SERVICES_DIR + name);
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
        Transferable.of(keyword + " " + value + "\n", 0644),
        SSHD_OPTIONS_DIR + "50-" + keyword + ".conf");
  }

  /** The sshd's MaxSessions: sessions (commands) it allows at once on one connection. */
  public int getMaxSessions() {
    return maxSessions;
  }

  /** Authorizes {@code key} for {@value #USER} before the container starts. */
  public SshdContainer withAuthorizedKey(PublicKey key) {
    authorizedKeys.add(key);
    return this;
  }

  /** Authorizes {@code key} for {@value #USER}, also while the container runs. */
  public void authorizeKey(PublicKey key) {
    if (isHandedOutAuthorized(key)) {
      return; // authorised with its batch
    }
    authorizedKeys.add(key);
    if (!isRunning()) {
      return; // written when the container is created
    }
    try {
      Container.ExecResult result =
          execInContainer(
              "sh",
              "-c",
              "printf '%s\\n' \"$1\" >> " + AUTHORIZED_KEYS_PATH,
              "sh",
              KeyMaterial.publicKeyLine(key));
      if (result.getExitCode() != 0) {
        throw new IllegalStateException(
            "Cannot authorize a key in the sshd container: " + result.getStderr().strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot authorize a key in the sshd container", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while authorizing a key in the sshd container", e);
    }
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

  /** The bastion this server is reached through, if any. */
  public Optional<SshdContainer> getJumpHost() {
    return Optional.ofNullable(jumpHost);
  }

  /**
   * The name under which other containers on its network reach this server: its first network
   * alias.
   */
  public String getNetworkHostName() {
    return getNetworkAliases().get(0);
  }

  /** Stops {@code other} after this container stops (a topology's bastion and networks). */
  void stopsWith(Startable other) {
    stopsWith.add(other);
  }

  @Override
  public void stop() {
    try {
      super.stop();
    } finally {
      // Newest first: services before the bastion and networks they were added to.
      List<Startable> others = new ArrayList<>(stopsWith);
      Collections.reverse(others);
      others.forEach(Startable::stop);
    }
  }

  /**
   * The sshd log lines of connections authenticated with the key of that SHA-256 fingerprint
   * ({@code SHA256:...}, as in {@link ConnectionReport#keyFingerprint()}).
   */
  public List<String> acceptedPublicKeyLogins(String fingerprint) {
    return getLogs()
        .lines()
        .map(String::strip)
        .filter(line -> isLogin(line) && line.endsWith(" " + fingerprint))
        .collect(Collectors.toList());
  }

  /**
   * The lines of {@link #acceptedPublicKeyLogins(PublicKey)} that the container's output stream has
   * delivered so far, without reading the log again: they may trail the log by a moment, so wait
   * for a count rather than read once. The end-of-class proof polls them. Should the stream end
   * while the container runs on, the log itself is read; once the container is gone, the lines the
   * stream delivered are all there were.
   */
  public List<String> acceptedPublicKeyLoginsSoFar(PublicKey clientKey) {
    String fingerprint = KeyMaterial.fingerprint(clientKey);
    synchronized (streamedLogins) {
      if (followingLog) {
        return List.copyOf(streamedLogins.getOrDefault(fingerprint, List.of()));
      }
    }
    if (isRunning()) {
      return acceptedPublicKeyLogins(fingerprint);
    }
    synchronized (streamedLogins) {
      return List.copyOf(streamedLogins.getOrDefault(fingerprint, List.of()));
    }
  }

  private static boolean isLogin(String line) {
    return line.startsWith("Accepted publickey for " + USER + " ");
  }

  /** Host on which the SSH port is reachable from the test JVM. */
  public String getSshHost() {
    return getHost();
  }

  /** Port on {@link #getSshHost()} that leads to sshd. */
  public int getSshPort() {
    return getMappedPort(SSH_PORT);
  }

  /** The login user, {@value #USER}. */
  public String getUsername() {
    return USER;
  }

  /** The sshd's host key; clients pin it instead of accepting any key. */
  public PublicKey getHostKey() {
    return hostKey.getPublic();
  }

  /**
   * The sshd log lines of connections authenticated with {@code clientKey}, one line per
   * authenticated TCP connection.
   */
  public List<String> acceptedPublicKeyLogins(PublicKey clientKey) {
    return acceptedPublicKeyLogins(KeyMaterial.fingerprint(clientKey));
  }

  @Override
  protected void containerIsCreated(String containerId) {
    synchronized (streamedLogins) {
      streamedLogins.clear(); // a new container: a new log
      followingLog = false;
    }
    String keys =
        Stream.concat(authorizedKeys.stream(), firstKeyBatch().stream())
            .map(k -> KeyMaterial.publicKeyLine(k) + "\n")
            .collect(Collectors.joining());
    copyFileToContainer(
        Transferable.of(keys.getBytes(StandardCharsets.UTF_8), 0644), AUTHORIZED_KEYS_PATH);
  }

  // --- fresh keys authorised in batches (issue 14) ---

  /** Keys in the first batch, written with the authorized_keys file when the container is made. */
  private static final int FIRST_KEY_BATCH = 8;

  /** Keys authorised by one command in the running container when the batch is used up. */
  private static final int KEY_BATCH = 16;

  /** Authorised, never handed out; made for the current container only. */
  private final Deque<KeyPair> readyKeys = new ArrayDeque<>();

  /** Handed out by {@link #newAuthorizedKeyPair()} and authorised in the current container. */
  private final Set<PublicKey> handedOut = ConcurrentHashMap.newKeySet();

  /**
   * A key pair made for one caller alone and already authorised for {@value #USER}: never handed
   * out before, and never in any other container. Keys are authorised in batches, so that a master
   * per class costs no command in the container for its key: the first batch is written when the
   * container is created, each later one with one command when the last is used up. Unused ones die
   * with the container (their private halves only ever in this JVM).
   *
   * @throws IllegalStateException if the container is not running
   */
  public KeyPair newAuthorizedKeyPair() {
    synchronized (readyKeys) {
      if (!isRunning()) {
        throw new IllegalStateException("The sshd container is not running");
      }
      if (readyKeys.isEmpty()) {
        List<KeyPair> batch = newKeyBatch(KEY_BATCH);
        appendAuthorizedKeys(batch.stream().map(KeyPair::getPublic).collect(Collectors.toList()));
        readyKeys.addAll(batch);
      }
      KeyPair key = readyKeys.poll();
      handedOut.add(key.getPublic());
      return key;
    }
  }

  private boolean isHandedOutAuthorized(PublicKey key) {
    return handedOut.contains(key);
  }

  /** A new container: the keys of any earlier one are not authorised in it. */
  private List<PublicKey> firstKeyBatch() {
    synchronized (readyKeys) {
      readyKeys.clear();
      handedOut.clear();
      readyKeys.addAll(newKeyBatch(FIRST_KEY_BATCH));
      return readyKeys.stream().map(KeyPair::getPublic).collect(Collectors.toList());
    }
  }

  private static List<KeyPair> newKeyBatch(int size) {
    List<KeyPair> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      batch.add(KeyMaterial.generate());
    }
    return batch;
  }

  /** Appends {@code keys} to the authorized_keys file of the running container: one command. */
  private void appendAuthorizedKeys(List<PublicKey> keys) {
    List<String> command =
        new ArrayList<>(
            List.of("sh", "-c", "printf '%s\\n' \"$@\" >> " + AUTHORIZED_KEYS_PATH, "sh"));
    keys.forEach(key -> command.add(KeyMaterial.publicKeyLine(key)));
    try {
      Container.ExecResult result = execInContainer(command.toArray(String[]::new));
      if (result.getExitCode() != 0) {
        throw new IllegalStateException(
            "Cannot authorize keys in the sshd container: " + result.getStderr().strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot authorize keys in the sshd container", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while authorizing keys in the sshd container", e);
    }
  }
}
