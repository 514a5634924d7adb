package dev.muxtest.internal.engine;

import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.Scope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
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
 * @param environmentAllow names and {@code PREFIX_*} patterns of environment variables a command
 *     may send ({@link #EXEC_ENVIRONMENT_ALLOW})
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
    DefaultServer defaultServer,
    List<String> environmentAllow) {

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

  /**
   * Environment variables a command may send, besides {@code LANG}, {@code LC_*} and {@code
   * MUXTEST_*}: a comma-separated list of names and {@code PREFIX_*} patterns. Names that a local
   * ssh client or its loader reads ({@code LD_*}, {@code PATH}, ...) are refused whatever it says.
   */
  public static final String EXEC_ENVIRONMENT_ALLOW = "muxtest.exec.environment.allow";

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
          DefaultServer.CONTAINER,
          EnvironmentNames.DEFAULT_ALLOWED);

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
        defaultServer,
        environmentAllow);
  }

  /** Reads the settings through {@code parameters} (a configuration-parameter lookup). */
  public static Settings from(Function<String, Optional<String>> parameters) {
    return new Settings(
        parameters.apply(BASE_IMAGE).map(String::strip).filter(s -> !s.isEmpty()),
        SettingParsers.duration(parameters, CONNECT_TIMEOUT, DEFAULTS.connectTimeout),
        SettingParsers.duration(parameters, EXEC_TIMEOUT, DEFAULTS.execTimeout),
        SettingParsers.duration(parameters, TUNNEL_READY_TIMEOUT, DEFAULTS.tunnelReadyTimeout),
        SettingParsers.keepAlive(parameters),
        SettingParsers.engine(parameters),
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
        SettingParsers.positiveInt(parameters, SESSION_BUDGET),
        SettingParsers.bool(parameters, RECONNECT, DEFAULTS.reconnect),
        SettingParsers.scope(parameters),
        parameters
            .apply(SUITE_IDLE_TIMEOUT)
            .map(value -> SettingParsers.parseDuration(SUITE_IDLE_TIMEOUT, value)),
        parameters
            .apply(EXEC_MAX_OUTPUT)
            .map(value -> SettingParsers.parseSize(EXEC_MAX_OUTPUT, value))
            .orElse(DEFAULTS.maxOutput),
        SettingParsers.defaultServer(parameters),
        parameters
            .apply(EXEC_ENVIRONMENT_ALLOW)
            .map(value -> EnvironmentNames.parse(EXEC_ENVIRONMENT_ALLOW, value))
            .orElse(DEFAULTS.environmentAllow));
  }

  /**
   * Parses {@code 30}, {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} (seconds when no unit) or
   * ISO-8601 such as {@code PT30S}; positive and at most 24 hours.
   *
   * @throws ExtensionConfigurationException naming {@code key} if the value is not such a duration
   */
  public static Duration parseDuration(String key, String value) {
    return SettingParsers.parseDuration(key, value);
  }

  /**
   * Parses a size in bytes ({@code 1048576}, {@code 512k}, {@code 64m}, {@code 1g}); at least 1
   * byte, at most 2 GiB.
   *
   * @throws ExtensionConfigurationException naming {@code key} if the value is not such a size
   */
  public static long parseSize(String key, String value) {
    return SettingParsers.parseSize(key, value);
  }

  // --- the default server's scope (issue 14) ---

  /**
   * How long the default container lives: {@code run} (one for the whole run, shared by every class
   * that declares no server; the default) or {@code class} (one per class). Read by {@link
   * DefaultServerScope#from}.
   */
  public static final String DEFAULT_SERVER_SCOPE = "muxtest.defaultServer.scope";
}
