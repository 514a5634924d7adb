package dev.muxtest.internal.engine;

import dev.muxtest.Engine;
import dev.muxtest.Scope;
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
 * Reads each kind of configuration value of {@link Settings}, failing with a message naming its
 * key.
 */
final class SettingParsers {

  static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

  /**
   * Parses a size in bytes: a number, optionally with a binary unit ({@code k}, {@code m}, {@code
   * g}, or {@code KiB}, {@code MiB}, {@code GiB}); at least 1 byte, at most 2 GiB.
   *
   * @throws ExtensionConfigurationException naming {@code key} if the value is not such a size
   */
  static long parseSize(String key, String value) {
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
        if (bytes >= 1 && bytes <= Settings.MAX_OUTPUT_LIMIT) {
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

  static Settings.DefaultServer defaultServer(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(Settings.DEFAULT_SERVER).map(String::strip);
    if (raw.isEmpty()) {
      return Settings.DEFAULTS.defaultServer();
    }
    for (Settings.DefaultServer server : Settings.DefaultServer.values()) {
      if (server.name().equalsIgnoreCase(raw.get())) {
        return server;
      }
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be container or embedded, but was '%s'",
            Settings.DEFAULT_SERVER, raw.get()));
  }

  static Scope scope(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(Settings.SCOPE).map(String::strip);
    if (raw.isEmpty()) {
      return Settings.DEFAULTS.scope();
    }
    String value = raw.get().toUpperCase(Locale.ROOT);
    if (value.equals(Scope.CLASS.name()) || value.equals(Scope.SUITE.name())) {
      return Scope.valueOf(value);
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be CLASS or SUITE, but was '%s'",
            Settings.SCOPE, raw.get()));
  }

  static boolean bool(Function<String, Optional<String>> parameters, String key, boolean fallback) {
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

  static OptionalInt positiveInt(Function<String, Optional<String>> parameters, String key) {
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

  static Engine engine(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(Settings.ENGINE).map(String::strip);
    if (raw.isEmpty()) {
      return Settings.DEFAULTS.engine();
    }
    String value = raw.get().toUpperCase(Locale.ROOT);
    if (value.equals(Engine.MINA.name()) || value.equals(Engine.OPENSSH.name())) {
      return Engine.valueOf(value);
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be MINA or OPENSSH, but was '%s'",
            Settings.ENGINE, raw.get()));
  }

  static Duration duration(
      Function<String, Optional<String>> parameters, String key, Duration fallback) {
    Optional<String> raw = parameters.apply(key);
    return raw.isEmpty() ? fallback : parseDuration(key, raw.get());
  }

  static Duration keepAlive(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(Settings.KEEPALIVE_INTERVAL);
    if (raw.isEmpty()) {
      return Settings.DEFAULTS.keepAliveInterval();
    }
    Duration interval = parseDuration(Settings.KEEPALIVE_INTERVAL, raw.get());
    if (interval.compareTo(Settings.MIN_KEEPALIVE) < 0) {
      throw new ExtensionConfigurationException(
          String.format(
              "Configuration parameter '%s' must be at least 1s, but was '%s'",
              Settings.KEEPALIVE_INTERVAL, raw.get()));
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
  static Duration parseDuration(String key, String value) {
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
    if (parsed.compareTo(Settings.MAX_DURATION) > 0) {
      throw new ExtensionConfigurationException(
          String.format(
              "Configuration parameter '%s' must be at most 24h, but was '%s'", key, value));
    }
    return parsed;
  }

  private SettingParsers() {}
}
