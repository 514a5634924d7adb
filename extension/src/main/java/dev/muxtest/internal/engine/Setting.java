package dev.muxtest.internal.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One configuration key of muxtest: its name, how its text is read (with its bounds) and its
 * default, in one constant (as MINA's {@code CoreModuleProperties}). {@link Settings} declares
 * them; every failure to read one is an {@link IllegalArgumentException} naming the key.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {

  /** The longest duration any setting takes: longer ones overflow later arithmetic. */
  static final Duration MAX_DURATION = Duration.ofHours(24);

  /** The largest size setting: what one Java array holds. */
  static final long MAX_SIZE = Integer.MAX_VALUE - 8;

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,19})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

  private final String name;
  private final Optional<String> environment;
  private final Function<String, T> parser;
  private final T defaultValue;

  private Setting(
      String name, Optional<String> environment, Function<String, T> parser, T defaultValue) {
    this.name = name;
    this.environment = environment;
    this.parser = parser;
    this.defaultValue = defaultValue;
  }

  /** The key, as in {@code junit-platform.properties} or a system property. */
  public String name() {
    return name;
  }

  /** The value when the key is not set. */
  public T defaultValue() {
    return defaultValue;
  }

  /**
   * The value {@code parameters} (a configuration-parameter lookup) give the key, else the default.
   *
   * @throws IllegalArgumentException naming the key if its value cannot be read or is out of bounds
   */
  public T read(Function<String, Optional<String>> parameters) {
    return parameters.apply(name).map(parser).orElse(defaultValue);
  }

  /**
   * As {@link #read}, but a key {@code parameters} do not set (or set blank) is looked up next in
   * the environment variable of this setting, if it has one.
   */
  public T readWithEnvironment(Function<String, Optional<String>> parameters) {
    Optional<String> raw =
        parameters
            .apply(name)
            .filter(v -> !v.isBlank())
            .or(() -> environment.map(System::getenv).filter(v -> !v.isBlank()));
    return raw.map(parser).orElse(defaultValue);
  }

  /**
   * The value {@code parameters} give the key, if they set it to anything but blank: for a setting
   * whose default is decided elsewhere when it is not configured.
   *
   * @throws IllegalArgumentException naming the key if its value cannot be read
   */
  public Optional<T> configured(Function<String, Optional<String>> parameters) {
    return parameters.apply(name).filter(raw -> !raw.isBlank()).map(parser);
  }

  /** This setting, also read from the environment variable {@code variable}. */
  Setting<T> withEnvironment(String variable) {
    return new Setting<>(name, Optional.of(variable), parser, defaultValue);
  }

  /** The key. */
  @Override
  public String toString() {
    return name;
  }

  /** A positive duration of at most 24 hours (see {@link #parseDuration}). */
  static Setting<Duration> duration(String name, Duration defaultValue) {
    return new Setting<>(name, Optional.empty(), raw -> parseDuration(name, raw), defaultValue);
  }

  /** A duration as {@link #duration}, and at least {@code minimum}. */
  static Setting<Duration> duration(String name, Duration defaultValue, Duration minimum) {
    return new Setting<>(
        name,
        Optional.empty(),
        raw -> {
          Duration value = parseDuration(name, raw);
          if (value.compareTo(minimum) < 0) {
            throw invalid(name, "must be at least " + minimum.toSeconds() + "s", raw);
          }
          return value;
        },
        defaultValue);
  }

  /** A duration as {@link #duration}, unset by default. */
  static Setting<Optional<Duration>> optionalDuration(String name) {
    return new Setting<>(
        name, Optional.empty(), raw -> Optional.of(parseDuration(name, raw)), Optional.empty());
  }

  /** A size in bytes, see {@link #parseSize}. */
  static Setting<Long> size(String name, long defaultValue) {
    return new Setting<>(name, Optional.empty(), raw -> parseSize(name, raw), defaultValue);
  }

  /** A positive whole number, unset by default. */
  static Setting<OptionalInt> positiveInt(String name) {
    return new Setting<>(
        name,
        Optional.empty(),
        raw -> {
          try {
            int value = Integer.parseInt(raw.strip());
            if (value > 0) {
              return OptionalInt.of(value);
            }
          } catch (NumberFormatException notANumber) {
            // reported below, with the key
          }
          throw invalid(name, "must be a positive whole number", raw);
        },
        OptionalInt.empty());
  }

  /** {@code true} or {@code false}, in any case. */
  static Setting<Boolean> bool(String name, boolean defaultValue) {
    return new Setting<>(
        name,
        Optional.empty(),
        raw -> {
          String value = raw.strip();
          if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
          }
          throw invalid(name, "must be true or false", value);
        },
        defaultValue);
  }

  /**
   * One of {@code allowed}, named in any case; a failure lists them as {@code spelled} spells them
   * (for example {@code MINA or OPENSSH}, or {@code run or class}).
   */
  static <E extends Enum<E>> Setting<E> choice(
      String name, E defaultValue, List<E> allowed, Function<E, String> spelled) {
    String expected = allowed.stream().map(spelled).collect(Collectors.joining(" or "));
    return new Setting<>(
        name,
        Optional.empty(),
        raw -> {
          String value = raw.strip();
          return allowed.stream()
              .filter(e -> e.name().equalsIgnoreCase(value))
              .findFirst()
              .orElseThrow(() -> invalid(name, "must be " + expected, value));
        },
        defaultValue);
  }

  /** A value {@code parser} reads from the key's name and text, throwing what it refuses. */
  static <T> Setting<T> parsed(String name, T defaultValue, BiFunction<String, String, T> parser) {
    return new Setting<>(name, Optional.empty(), raw -> parser.apply(name, raw), defaultValue);
  }

  /** A text, stripped; blank counts as unset. */
  static Setting<Optional<String>> text(String name) {
    return new Setting<>(
        name,
        Optional.empty(),
        raw -> Optional.of(raw.strip()).filter(s -> !s.isEmpty()),
        Optional.empty());
  }

  /** A text, stripped; blank counts as unset. */
  static Setting<String> text(String name, String defaultValue) {
    return new Setting<>(
        name, Optional.empty(), raw -> raw.isBlank() ? defaultValue : raw.strip(), defaultValue);
  }

  /** A path, stripped; blank counts as unset. */
  static Setting<Optional<Path>> path(String name) {
    return new Setting<>(
        name,
        Optional.empty(),
        raw -> Optional.of(raw.strip()).filter(s -> !s.isEmpty()).map(Path::of),
        Optional.empty());
  }

  /**
   * Parses {@code 30}, {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} (seconds when no unit) or
   * ISO-8601 such as {@code PT30S}; the result must be positive and at most 24 hours (every
   * duration setting is used in nanosecond arithmetic, and no test waits a day).
   *
   * @throws IllegalArgumentException naming {@code key} if the value is not such a duration
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
      } catch (DateTimeParseException notADuration) {
        // reported below, with the key
      }
    }
    if (parsed == null || parsed.isZero() || parsed.isNegative()) {
      throw invalid(key, "must be a positive duration such as 30s, 500ms, 2m or PT30S", value);
    }
    if (parsed.compareTo(MAX_DURATION) > 0) {
      throw invalid(key, "must be at most 24h", value);
    }
    return parsed;
  }

  /**
   * Parses a size in bytes: a number, optionally with a binary unit ({@code k}, {@code m}, {@code
   * g}, or {@code KiB}, {@code MiB}, {@code GiB}); at least 1 byte, at most 2 GiB.
   *
   * @throws IllegalArgumentException naming {@code key} if the value is not such a size
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
        if (bytes >= 1 && bytes <= MAX_SIZE) {
          return bytes;
        }
      } catch (NumberFormatException | ArithmeticException tooLarge) {
        // reported below, with the key
      }
    }
    throw invalid(
        key, "must be a size from 1 byte to 2 GiB such as 1048576, 512k, 64m or 1g", value);
  }

  private static IllegalArgumentException invalid(String key, String rule, String value) {
    return new IllegalArgumentException(
        String.format("Configuration parameter '%s' %s, but was '%s'", key, rule, value));
  }
}
