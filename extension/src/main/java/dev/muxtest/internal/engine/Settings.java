package dev.muxtest.internal.engine;

import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.Scope;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The extension's settings, read from JUnit configuration parameters ({@code
 * junit-platform.properties} or system properties of the same name).
 *
 * @param baseImage base image for a default server, when configured
 * @param connectTimeout bound on connecting and authenticating the master
 * @param execTimeout default bound on one command
 * @param tunnelReadyTimeout bound on waiting for a tunnel's destination to accept connections
 * @param keepAliveInterval interval of keep-alive messages on an idle master
 * @param engine engine of classes that do not choose one
 * @param sshExecutable the OpenSSH client program of the OpenSSH engine
 * @param controlDirectory where the OpenSSH engine makes its private control directories, when
 *     configured
 * @param sessionBudget sessions a master runs at once, when configured (else the server's
 *     MaxSessions)
 * @param reconnect whether a master that lost its connection opens a new one
 * @param scope scope of classes that do not choose one
 * @param maxOutput most bytes a command may write to each of stdout and stderr
 * @param suiteIdleTimeout how long a SUITE-scope master may sit unused before it closes its
 *     connection
 * @param defaultServer the server of classes that declare none
 */
public record Settings(
    Optional<String> baseImage,
    Duration connectTimeout,
    Duration execTimeout,
    Duration tunnelReadyTimeout,
    Duration keepAliveInterval,
    Engine engine,
    String sshExecutable,
    Optional<Path> controlDirectory,
    OptionalInt sessionBudget,
    boolean reconnect,
    Scope scope,
    Optional<Duration> suiteIdleTimeout,
    long maxOutput,
    DefaultServer defaultServer) {

  /** The server of a class that declares no {@code @SshServer} (nor has an enclosing one). */
  public enum DefaultServer {
    /** A new {@code SshdContainer}: a real OpenSSH sshd, needs Docker. */
    CONTAINER,
    /** A new {@code EmbeddedSshServer} in the test JVM: needs no Docker. */
    EMBEDDED
  }

  /** Base image of the default sshd container. */
  public static final String BASE_IMAGE = "muxtest.sshd.baseImage";

  /** Bound on connecting and authenticating the master. */
  public static final String CONNECT_TIMEOUT = "muxtest.connect.timeout";

  /** Default bound on one command run with {@code SshMaster.exec}. */
  public static final String EXEC_TIMEOUT = "muxtest.exec.timeout";

  /** Bound on waiting for a declared tunnel's destination to accept a connection. */
  public static final String TUNNEL_READY_TIMEOUT = "muxtest.tunnel.readyTimeout";

  /** Interval of keep-alive messages on the master connection. */
  public static final String KEEPALIVE_INTERVAL = "muxtest.keepalive.interval";

  /** Engine of classes whose {@code @SshMultiplexing} does not choose one: MINA or OPENSSH. */
  public static final String ENGINE = "muxtest.engine";

  /** The OpenSSH client program (a name on the PATH or a path). */
  public static final String SSH_EXECUTABLE = "muxtest.openssh.executable";

  /** Directory under which the OpenSSH engine makes its private (0700) control directories. */
  public static final String CONTROL_DIRECTORY = "muxtest.openssh.controlDir";

  /**
   * Sessions (commands) a master runs at once; more wait for a free one. Defaults to the server's
   * MaxSessions when known (an {@code SshdContainer}), else OpenSSH's default of 10.
   */
  public static final String SESSION_BUDGET = "muxtest.sessions.max";

  /**
   * Whether a master that lost its connection opens a new one on its next use and reopens its
   * forwards on the same ports; off by default, since the proof then (rightly) fails the class.
   */
  public static final String RECONNECT = "muxtest.reconnect";

  /** Scope of classes whose {@code @SshMultiplexing} does not choose one: CLASS or SUITE. */
  public static final String SCOPE = "muxtest.scope";

  /**
   * How long a SUITE-scope master may have no class using it before it closes its connection, as
   * OpenSSH's ControlPersist; the next class reopens it, reported as a new connection. Unset:
   * never.
   */
  public static final String SUITE_IDLE_TIMEOUT = "muxtest.suite.idleTimeout";

  /**
   * Most bytes one command may write to stdout, and to stderr: a command that writes more fails and
   * its session is closed. Sizes: {@code 1048576}, {@code 512k}, {@code 64m}, {@code 1g} (binary
   * units; also {@code KiB}, {@code MiB}, {@code GiB}).
   */
  public static final String EXEC_MAX_OUTPUT = "muxtest.exec.maxOutput";

  /**
   * The server of classes that declare no {@code @SshServer}: {@code container} (a new
   * SshdContainer, the default) or {@code embedded} (a new EmbeddedSshServer, no Docker needed).
   */
  public static final String DEFAULT_SERVER = "muxtest.defaultServer";

  /** The largest {@link #EXEC_MAX_OUTPUT}: what one Java array holds. */
  static final long MAX_OUTPUT_LIMIT = Integer.MAX_VALUE - 8;

  /** The longest duration any setting takes: longer ones overflow later arithmetic. */
  public static final Duration MAX_DURATION = Duration.ofHours(24);

  /**
   * The shortest keep-alive interval: OpenSSH counts it in whole seconds, and a shorter one would
   * flood the connection.
   */
  public static final Duration MIN_KEEPALIVE = Duration.ofSeconds(1);

  /** The defaults, as documented in the README. */
  public static final Settings DEFAULTS =
      new Settings(
          Optional.empty(),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          Duration.ofSeconds(30),
          Duration.ofSeconds(10),
          Engine.MINA,
          "ssh",
          Optional.empty(),
          OptionalInt.empty(),
          false,
          Scope.CLASS,
          Optional.empty(),
          64L * 1024 * 1024,
          DefaultServer.CONTAINER);

  /** These settings with the timeouts that {@code options} set in place of their own. */
  public Settings with(MasterOptions options) {
    return new Settings(
        baseImage,
        options.connectTimeout().orElse(connectTimeout),
        options.execTimeout().orElse(execTimeout),
        tunnelReadyTimeout,
        options.keepAliveInterval().orElse(keepAliveInterval),
        engine,
        sshExecutable,
        controlDirectory,
        sessionBudget,
        reconnect,
        scope,
        suiteIdleTimeout,
        maxOutput,
        defaultServer);
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  /** Reads the settings through {@code parameters} (a configuration-parameter lookup). */
  public static Settings from(Function<String, Optional<String>> parameters) {
    return new Settings(
        parameters.apply(BASE_IMAGE).map(String::strip).filter(s -> !s.isEmpty()),
        duration(parameters, CONNECT_TIMEOUT, DEFAULTS.connectTimeout),
        duration(parameters, EXEC_TIMEOUT, DEFAULTS.execTimeout),
        duration(parameters, TUNNEL_READY_TIMEOUT, DEFAULTS.tunnelReadyTimeout),
        keepAlive(parameters),
        engine(parameters),
        parameters
            .apply(SSH_EXECUTABLE)
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .orElse(DEFAULTS.sshExecutable),
        parameters
            .apply(CONTROL_DIRECTORY)
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .map(Path::of),
        positiveInt(parameters, SESSION_BUDGET),
        bool(parameters, RECONNECT, DEFAULTS.reconnect),
        scope(parameters),
        parameters.apply(SUITE_IDLE_TIMEOUT).map(value -> parseDuration(SUITE_IDLE_TIMEOUT, value)),
        parameters
            .apply(EXEC_MAX_OUTPUT)
            .map(value -> parseSize(EXEC_MAX_OUTPUT, value))
            .orElse(DEFAULTS.maxOutput),
        defaultServer(parameters));
  }

  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,19})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

  /**
   * Parses a size in bytes: a number, optionally with a binary unit ({@code k}, {@code m}, {@code
   * g}, or {@code KiB}, {@code MiB}, {@code GiB}); at least 1 byte, at most 2 GiB.
   *
   * @throws ExtensionConfigurationException naming {@code key} if the value is not such a size
   */
  public static long parseSize(String key, String value) {
    Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      try {
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).substring(0, 1);
        long bytes =
            switch (unit) {
              case "k" -> Math.multiplyExact(amount, 1024L);
              case "m" -> Math.multiplyExact(amount, 1024L * 1024);
              case "g" -> Math.multiplyExact(amount, 1024L * 1024 * 1024);
              default -> amount;
            };
        if (bytes >= 1 && bytes <= MAX_OUTPUT_LIMIT) {
          return bytes;
        }
      } catch (NumberFormatException | ArithmeticException tooLarge) {
        // reported below, with the key
      }
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be a size from 1 byte to 2 GiB such as 1048576, 512k, 64m or 1g, but was '%s'",
            key, value));
  }

  private static DefaultServer defaultServer(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(DEFAULT_SERVER).map(String::strip);
    if (raw.isEmpty()) {
      return DEFAULTS.defaultServer;
    }
    for (DefaultServer server : DefaultServer.values()) {
      if (server.name().equalsIgnoreCase(raw.get())) {
        return server;
      }
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be container or embedded, but was '%s'",
            DEFAULT_SERVER, raw.get()));
  }

  private static Scope scope(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(SCOPE).map(String::strip);
    if (raw.isEmpty()) {
      return DEFAULTS.scope;
    }
    String value = raw.get().toUpperCase(Locale.ROOT);
    if (value.equals(Scope.CLASS.name()) || value.equals(Scope.SUITE.name())) {
      return Scope.valueOf(value);
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be CLASS or SUITE, but was '%s'", SCOPE, raw.get()));
  }

  private static boolean bool(
      Function<String, Optional<String>> parameters, String key, boolean fallback) {
    Optional<String> raw = parameters.apply(key).map(String::strip);
    if (raw.isEmpty()) {
      return fallback;
    }
    if (raw.get().equalsIgnoreCase("true") || raw.get().equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(raw.get());
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be true or false, but was '%s'", key, raw.get()));
  }

  private static OptionalInt positiveInt(
      Function<String, Optional<String>> parameters, String key) {
    Optional<String> raw = parameters.apply(key);
    if (raw.isEmpty()) {
      return OptionalInt.empty();
    }
    try {
      int value = Integer.parseInt(raw.get().strip());
      if (value > 0) {
        return OptionalInt.of(value);
      }
    } catch (NumberFormatException ignored) {
      // reported below, with the key
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be a positive whole number, but was '%s'",
            key, raw.get()));
  }

  private static Engine engine(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(ENGINE).map(String::strip);
    if (raw.isEmpty()) {
      return DEFAULTS.engine;
    }
    String value = raw.get().toUpperCase(Locale.ROOT);
    if (value.equals(Engine.MINA.name()) || value.equals(Engine.OPENSSH.name())) {
      return Engine.valueOf(value);
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be MINA or OPENSSH, but was '%s'",
            ENGINE, raw.get()));
  }

  private static Duration duration(
      Function<String, Optional<String>> parameters, String key, Duration fallback) {
    Optional<String> raw = parameters.apply(key);
    return raw.isEmpty() ? fallback : parseDuration(key, raw.get());
  }

  private static Duration keepAlive(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(KEEPALIVE_INTERVAL);
    if (raw.isEmpty()) {
      return DEFAULTS.keepAliveInterval;
    }
    Duration interval = parseDuration(KEEPALIVE_INTERVAL, raw.get());
    if (interval.compareTo(MIN_KEEPALIVE) < 0) {
      throw new ExtensionConfigurationException(
          String.format(
              "Configuration parameter '%s' must be at least 1s, but was '%s'",
              KEEPALIVE_INTERVAL, raw.get()));
    }
    return interval;
  }

  /**
   * Parses {@code 30}, {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} (seconds when no unit) or
   * ISO-8601 such as {@code PT30S}; the result must be positive and at most 24 hours (every
   * duration setting is used in nanosecond arithmetic, and no test waits a day).
   *
   * @throws ExtensionConfigurationException naming {@code key} if the value is not such a duration
   */
  public static Duration parseDuration(String key, String value) {
    String text = value.strip().toLowerCase(Locale.ROOT);
    Duration parsed = null;
    Matcher m = DURATION.matcher(text);
    if (m.matches()) {
      try {
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        parsed =
            switch (unit) {
              case "ms" -> Duration.ofMillis(amount);
              case "m" -> Duration.ofMinutes(amount);
              case "h" -> Duration.ofHours(amount);
              default -> Duration.ofSeconds(amount);
            };
      } catch (NumberFormatException | ArithmeticException tooLarge) {
        // reported below, with the key
      }
    } else if (text.startsWith("pt")) {
      try {
        parsed = Duration.parse(text.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException ignored) {
        // reported below, with the key
      }
    }
    if (parsed == null || parsed.isZero() || parsed.isNegative()) {
      throw new ExtensionConfigurationException(
          String.format(
              "Configuration parameter '%s' must be a positive duration such as 30s, 500ms, 2m or PT30S, but was '%s'",
              key, value));
    }
    if (parsed.compareTo(MAX_DURATION) > 0) {
      throw new ExtensionConfigurationException(
          String.format(
              "Configuration parameter '%s' must be at most 24h, but was '%s'", key, value));
    }
    return parsed;
  }
}
