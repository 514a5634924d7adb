package dev.muxtest;

import dev.muxtest.internal.engine.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link SshMasters} opens a master: engine, OpenSSH {@code ControlMaster} mode, agent
 * forwarding and timeouts. Immutable; start from {@link #defaults()} and change what you need with
 * the {@code with...} methods. Timeouts not set here take the configured defaults (the {@code
 * muxtest.*} system properties, else the README's defaults).
 */
public final class MasterOptions {

  private static final MasterOptions DEFAULTS =
      new MasterOptions(Engine.DEFAULT, ControlMaster.AUTO, false, null, null, null);

  private final Engine engine;
  private final ControlMaster controlMaster;
  private final boolean forwardAgent;
  private final Duration connectTimeout;
  private final Duration execTimeout;
  private final Duration keepAliveInterval;

  private MasterOptions(
      Engine engine,
      ControlMaster controlMaster,
      boolean forwardAgent,
      Duration connectTimeout,
      Duration execTimeout,
      Duration keepAliveInterval) {
    this.engine = engine;
    this.controlMaster = controlMaster;
    this.forwardAgent = forwardAgent;
    this.connectTimeout = connectTimeout;
    this.execTimeout = execTimeout;
    this.keepAliveInterval = keepAliveInterval;
  }

  /** The configured default engine, {@link ControlMaster#AUTO}, no agent, configured timeouts. */
  public static MasterOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The defaults with {@code engine}: short for {@code defaults().withEngine(engine)}.
   *
   * @throws IllegalArgumentException for null
   */
  public static MasterOptions engine(Engine engine) {
    return DEFAULTS.withEngine(engine);
  }

  /**
   * These options with {@code engine} ({@link Engine#DEFAULT}: the configured default engine).
   *
   * @throws IllegalArgumentException for null
   */
  public MasterOptions withEngine(Engine engine) {
    return new MasterOptions(
        present(engine, "engine"),
        controlMaster,
        forwardAgent,
        connectTimeout,
        execTimeout,
        keepAliveInterval);
  }

  /**
   * These options with the OpenSSH engine's {@code ControlMaster} mode; {@link ControlMaster#NO}
   * (no master: a connection per command) is for baselines only.
   */
  public MasterOptions withControlMaster(ControlMaster controlMaster) {
    return new MasterOptions(
        engine,
        present(controlMaster, "controlMaster"),
        forwardAgent,
        connectTimeout,
        execTimeout,
        keepAliveInterval);
  }

  /**
   * These options with agent forwarding on or off: an agent in the test JVM, filled with {@link
   * SshMaster#addAgentKey}, forwarded to every session of the master.
   */
  public MasterOptions withForwardAgent(boolean forwardAgent) {
    return new MasterOptions(
        engine, controlMaster, forwardAgent, connectTimeout, execTimeout, keepAliveInterval);
  }

  /**
   * These options with a bound on connecting and authenticating the master.
   *
   * @throws IllegalArgumentException unless positive and at most 24 hours
   */
  public MasterOptions withConnectTimeout(Duration timeout) {
    return new MasterOptions(
        engine,
        controlMaster,
        forwardAgent,
        positive(timeout, "connectTimeout"),
        execTimeout,
        keepAliveInterval);
  }

  /**
   * These options with the default bound of {@link SshMaster#exec(String)}.
   *
   * @throws IllegalArgumentException unless positive and at most 24 hours
   */
  public MasterOptions withExecTimeout(Duration timeout) {
    return new MasterOptions(
        engine,
        controlMaster,
        forwardAgent,
        connectTimeout,
        positive(timeout, "execTimeout"),
        keepAliveInterval);
  }

  /**
   * These options with the keep-alive interval (two unanswered keep-alives end the master).
   *
   * @throws IllegalArgumentException unless from 1 second to 24 hours
   */
  public MasterOptions withKeepAliveInterval(Duration interval) {
    return new MasterOptions(
        engine, controlMaster, forwardAgent, connectTimeout, execTimeout, keepAlive(interval));
  }

  /** The engine; {@link Engine#DEFAULT} for the configured one. */
  public Engine engine() {
    return engine;
  }

  /** The OpenSSH engine's ControlMaster mode. */
  public ControlMaster controlMaster() {
    return controlMaster;
  }

  /** Whether the master forwards an agent held by the test JVM. */
  public boolean forwardAgent() {
    return forwardAgent;
  }

  /** The connect timeout, if set here. */
  public Optional<Duration> connectTimeout() {
    return Optional.ofNullable(connectTimeout);
  }

  /** The default command timeout, if set here. */
  public Optional<Duration> execTimeout() {
    return Optional.ofNullable(execTimeout);
  }

  /** The keep-alive interval, if set here. */
  public Optional<Duration> keepAliveInterval() {
    return Optional.ofNullable(keepAliveInterval);
  }

  private static <T> T present(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException("MasterOptions: " + name + " must not be null");
    }
    return value;
  }

  private static Duration positive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "MasterOptions: " + name + " must be a positive duration but was " + value);
    }
    // The same bound as the muxtest.* settings: longer overflows later nanosecond arithmetic.
    if (value.compareTo(Settings.MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          "MasterOptions: " + name + " must be at most 24h but was " + value);
    }
    return value;
  }

  private static Duration keepAlive(Duration value) {
    Duration interval = positive(value, "keepAliveInterval");
    if (interval.compareTo(Settings.MIN_KEEPALIVE) < 0) {
      throw new IllegalArgumentException(
          "MasterOptions: keepAliveInterval must be at least 1s but was " + value);
    }
    return interval;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MasterOptions o
        && engine == o.engine
        && controlMaster == o.controlMaster
        && forwardAgent == o.forwardAgent
        && Objects.equals(connectTimeout, o.connectTimeout)
        && Objects.equals(execTimeout, o.execTimeout)
        && Objects.equals(keepAliveInterval, o.keepAliveInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        engine, controlMaster, forwardAgent, connectTimeout, execTimeout, keepAliveInterval);
  }

  @Override
  public String toString() {
    return "MasterOptions[engine="
        + engine
        + ", controlMaster="
        + controlMaster
        + ", forwardAgent="
        + forwardAgent
        + connectTimeout().map(d -> ", connectTimeout=" + d).orElse("")
        + execTimeout().map(d -> ", execTimeout=" + d).orElse("")
        + keepAliveInterval().map(d -> ", keepAliveInterval=" + d).orElse("")
        + "]";
  }
}
