package dev.muxtest.internal.engine;

import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.Scope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The extension's settings, read from JUnit configuration parameters ({@code
 * junit-platform.properties} or system properties of the same name). Each key is one {@link
 * Setting} constant here, with its parser, bounds and default; the accessors read them for the
 * engines.
 */
public final class Settings {

  /** The longest duration any setting takes: longer ones overflow later arithmetic. */
  public static final Duration MAX_DURATION = Setting.MAX_DURATION;

  /**
   * The shortest keep-alive interval: OpenSSH counts it in whole seconds, and a shorter one would
   * flood the connection.
   */
  public static final Duration MIN_KEEPALIVE = Duration.ofSeconds(1);

  /**
   * Base image of the sshd container; also read from the environment variable {@code
   * MUXTEST_BASE_IMAGE} by {@link #configuredBaseImage()}.
   */
  public static final Setting<String> BASE_IMAGE =
      Setting.text("muxtest.sshd.baseImage", "debian:bookworm-slim")
          .withEnvironment("MUXTEST_BASE_IMAGE");

  /** Bound on connecting and authenticating the master. */
  public static final Setting<Duration> CONNECT_TIMEOUT =
      Setting.duration("muxtest.connect.timeout", Duration.ofSeconds(30));

  /** Default bound on one command run with {@code SshMaster.exec}. */
  public static final Setting<Duration> EXEC_TIMEOUT =
      Setting.duration("muxtest.exec.timeout", Duration.ofSeconds(60));

  /** Bound on waiting for a declared tunnel's destination to accept a connection. */
  public static final Setting<Duration> TUNNEL_READY_TIMEOUT =
      Setting.duration("muxtest.tunnel.readyTimeout", Duration.ofSeconds(30));

  /** Interval of keep-alive messages on the master connection; at least 1 second. */
  public static final Setting<Duration> KEEPALIVE_INTERVAL =
      Setting.duration("muxtest.keepalive.interval", Duration.ofSeconds(10), MIN_KEEPALIVE);

  /** Engine of classes whose {@code @SshMultiplexing} does not choose one: MINA or OPENSSH. */
  public static final Setting<Engine> ENGINE =
      Setting.choice(
          "muxtest.engine", Engine.MINA, List.of(Engine.MINA, Engine.OPENSSH), Engine::name);

  /** The OpenSSH client program (a name on the PATH or a path). */
  public static final Setting<String> SSH_EXECUTABLE =
      Setting.text("muxtest.openssh.executable", "ssh");

  /** Directory under which the OpenSSH engine makes its private (0700) control directories. */
  public static final Setting<Optional<Path>> CONTROL_DIRECTORY =
      Setting.path("muxtest.openssh.controlDir");

  /**
   * Sessions (commands) a master runs at once; more wait for a free one. Defaults to the server's
   * MaxSessions when known (an {@code SshdContainer}), else OpenSSH's default of 10.
   */
  public static final Setting<OptionalInt> SESSION_BUDGET =
      Setting.positiveInt("muxtest.sessions.max");

  /**
   * Whether a master that lost its connection opens a new one on its next use and reopens its
   * forwards on the same ports; off by default, since the proof then (rightly) fails the class.
   */
  public static final Setting<Boolean> RECONNECT = Setting.bool("muxtest.reconnect", false);

  /** Scope of classes whose {@code @SshMultiplexing} does not choose one: CLASS or SUITE. */
  public static final Setting<Scope> SCOPE =
      Setting.choice("muxtest.scope", Scope.CLASS, List.of(Scope.CLASS, Scope.SUITE), Scope::name);

  /**
   * How long a SUITE-scope master may have no class using it before it closes its connection, as
   * OpenSSH's ControlPersist; the next class reopens it, reported as a new connection. Unset:
   * never.
   */
  public static final Setting<Optional<Duration>> SUITE_IDLE_TIMEOUT =
      Setting.optionalDuration("muxtest.suite.idleTimeout");

  /**
   * Most bytes one command may write to stdout, and to stderr: a command that writes more fails and
   * its session is closed. Sizes: {@code 1048576}, {@code 512k}, {@code 64m}, {@code 1g} (binary
   * units; also {@code KiB}, {@code MiB}, {@code GiB}).
   */
  public static final Setting<Long> EXEC_MAX_OUTPUT =
      Setting.size("muxtest.exec.maxOutput", 64L * 1024 * 1024);

  /**
   * Environment variables a command may send, besides {@code LANG}, {@code LC_*} and {@code
   * MUXTEST_*}: a comma-separated list of names and {@code PREFIX_*} patterns. Names that a local
   * ssh client or its loader reads ({@code LD_*}, {@code PATH}, ...) are refused whatever it says.
   */
  public static final Setting<List<String>> EXEC_ENVIRONMENT_ALLOW =
      Setting.parsed(
          "muxtest.exec.environment.allow",
          EnvironmentNames.DEFAULT_ALLOWED,
          EnvironmentNames::parse);

  /**
   * Most bytes one download may bring (sizes as {@link #EXEC_MAX_OUTPUT}); a larger file fails and
   * leaves the local target as it was.
   */
  public static final Setting<Long> TRANSFER_MAX_SIZE =
      Setting.size("muxtest.transfer.maxSize", 1024L * 1024 * 1024);

  /**
   * The server of classes that declare no {@code @SshServer}: {@code container} (a new
   * SshdContainer, the default) or {@code embedded} (a new EmbeddedSshServer, no Docker needed).
   */
  public static final Setting<DefaultServer> DEFAULT_SERVER =
      Setting.choice(
          "muxtest.defaultServer",
          DefaultServer.CONTAINER,
          List.of(DefaultServer.values()),
          Settings::lowerCase);

  /**
   * How long the default container lives: {@code run} (one for the whole run, shared by every class
   * that declares no server; the default) or {@code class} (one per class).
   */
  public static final Setting<DefaultServerScope> DEFAULT_SERVER_SCOPE =
      Setting.choice(
          "muxtest.defaultServer.scope",
          DefaultServerScope.RUN,
          List.of(DefaultServerScope.values()),
          Settings::lowerCase);

  /** Every setting a {@code Settings} holds a value of (the base image is held as configured). */
  private static final List<Setting<?>> ALL =
      List.of(
          CONNECT_TIMEOUT,
          EXEC_TIMEOUT,
          TUNNEL_READY_TIMEOUT,
          KEEPALIVE_INTERVAL,
          ENGINE,
          SSH_EXECUTABLE,
          CONTROL_DIRECTORY,
          SESSION_BUDGET,
          RECONNECT,
          SCOPE,
          SUITE_IDLE_TIMEOUT,
          EXEC_MAX_OUTPUT,
          TRANSFER_MAX_SIZE,
          EXEC_ENVIRONMENT_ALLOW,
          DEFAULT_SERVER,
          DEFAULT_SERVER_SCOPE);

  /** The defaults, as documented in the README. */
  public static final Settings DEFAULTS = from(key -> Optional.empty());

  private final Optional<String> baseImage;
  private final Map<Setting<?>, Object> values;

  private Settings(Optional<String> baseImage, Map<Setting<?>, Object> values) {
    this.baseImage = baseImage;
    this.values = values;
  }

  /**
   * Reads every setting through {@code parameters} (a configuration-parameter lookup).
   *
   * @throws IllegalArgumentException naming the key of the first value that cannot be read
   */
  public static Settings from(Function<String, Optional<String>> parameters) {
    Map<Setting<?>, Object> values = new LinkedHashMap<>();
    for (Setting<?> setting : ALL) {
      values.put(setting, setting.read(parameters));
    }
    return new Settings(BASE_IMAGE.configured(parameters), values);
  }

  /**
   * The base image named by the system property {@code muxtest.sshd.baseImage}, else the
   * environment variable {@code MUXTEST_BASE_IMAGE}, else the default.
   */
  public static String configuredBaseImage() {
    return BASE_IMAGE.readWithEnvironment(key -> Optional.ofNullable(System.getProperty(key)));
  }

  /** The value of {@code setting}. */
  @SuppressWarnings("unchecked") // from() and with() put each setting's own type
  public <T> T get(Setting<T> setting) {
    return (T) values.get(Objects.requireNonNull(setting));
  }

  /** These settings with {@code value} for {@code setting}. */
  public <T> Settings with(Setting<T> setting, T value) {
    if (!values.containsKey(setting)) {
      throw new IllegalArgumentException("not a setting held by Settings: " + setting);
    }
    Map<Setting<?>, Object> copy = new LinkedHashMap<>(values);
    copy.put(setting, Objects.requireNonNull(value));
    return new Settings(baseImage, copy);
  }

  /** These settings with the timeouts that {@code options} set in place of their own. */
  public Settings with(MasterOptions options) {
    return with(CONNECT_TIMEOUT, options.connectTimeout().orElse(connectTimeout()))
        .with(EXEC_TIMEOUT, options.execTimeout().orElse(execTimeout()))
        .with(KEEPALIVE_INTERVAL, options.keepAliveInterval().orElse(keepAliveInterval()));
  }

  /** These settings with {@code image} as the configured base image. */
  public Settings withBaseImage(Optional<String> image) {
    return new Settings(image, values);
  }

  /** Base image for a default server, when configured. */
  public Optional<String> baseImage() {
    return baseImage;
  }

  /** Bound on connecting and authenticating the master. */
  public Duration connectTimeout() {
    return get(CONNECT_TIMEOUT);
  }

  /** Default bound on one command. */
  public Duration execTimeout() {
    return get(EXEC_TIMEOUT);
  }

  /** Bound on waiting for a tunnel's destination to accept connections. */
  public Duration tunnelReadyTimeout() {
    return get(TUNNEL_READY_TIMEOUT);
  }

  /** Interval of keep-alive messages on an idle master. */
  public Duration keepAliveInterval() {
    return get(KEEPALIVE_INTERVAL);
  }

  /** Engine of classes that do not choose one. */
  public Engine engine() {
    return get(ENGINE);
  }

  /** The OpenSSH client program of the OpenSSH engine. */
  public String sshExecutable() {
    return get(SSH_EXECUTABLE);
  }

  /** Where the OpenSSH engine makes its private control directories, when configured. */
  public Optional<Path> controlDirectory() {
    return get(CONTROL_DIRECTORY);
  }

  /** Sessions a master runs at once, when configured (else the server's MaxSessions). */
  public OptionalInt sessionBudget() {
    return get(SESSION_BUDGET);
  }

  /** Whether a master that lost its connection opens a new one. */
  public boolean reconnect() {
    return get(RECONNECT);
  }

  /** Scope of classes that do not choose one. */
  public Scope scope() {
    return get(SCOPE);
  }

  /** How long a SUITE-scope master may sit unused before it closes its connection. */
  public Optional<Duration> suiteIdleTimeout() {
    return get(SUITE_IDLE_TIMEOUT);
  }

  /** Most bytes a command may write to each of stdout and stderr. */
  public long maxOutput() {
    return get(EXEC_MAX_OUTPUT);
  }

  /** Names and {@code PREFIX_*} patterns of environment variables a command may send. */
  public List<String> environmentAllow() {
    return get(EXEC_ENVIRONMENT_ALLOW);
  }

  /** Most bytes one download may bring. */
  public long transferMaxSize() {
    return get(TRANSFER_MAX_SIZE);
  }

  /** The server of classes that declare none. */
  public DefaultServer defaultServer() {
    return get(DEFAULT_SERVER);
  }

  /** How long the default server container lives. */
  public DefaultServerScope defaultServerScope() {
    return get(DEFAULT_SERVER_SCOPE);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Settings s && s.baseImage.equals(baseImage) && s.values.equals(values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(baseImage, values);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Settings[").append(BASE_IMAGE).append('=');
    text.append(baseImage.orElse("(unset)"));
    values.forEach((setting, value) -> text.append(", ").append(setting).append('=').append(value));
    return text.append(']').toString();
  }

  private static String lowerCase(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
