package dev.muxtest.internal.engine;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * How long the default server container lives ({@value Settings#DEFAULT_SERVER_SCOPE}): one for the
 * whole run, shared by every class that declares no server, or one per class.
 */
public enum DefaultServerScope {
  /** One container for the run, started on first use and stopped when the run ends (default). */
  RUN,
  /** A container of its own for each class, started and stopped with it. */
  CLASS;

  /**
   * Reads {@value Settings#DEFAULT_SERVER_SCOPE} through {@code parameters}: {@code run} (default)
   * or {@code class}, in any case.
   *
   * @throws ExtensionConfigurationException naming the key and the value otherwise
   */
  public static DefaultServerScope from(Function<String, Optional<String>> parameters) {
    Optional<String> raw = parameters.apply(Settings.DEFAULT_SERVER_SCOPE).map(String::strip);
    if (raw.isEmpty()) {
      return RUN;
    }
    for (DefaultServerScope scope : values()) {
      if (scope.name().equals(raw.get().toUpperCase(Locale.ROOT))) {
        return scope;
      }
    }
    throw new ExtensionConfigurationException(
        String.format(
            "Configuration parameter '%s' must be run or class, but was '%s'",
            Settings.DEFAULT_SERVER_SCOPE, raw.get()));
  }
}
