package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durations are bounded where they are read: at most 24 hours for every duration setting (longer
 * ones overflowed later nanosecond arithmetic with an {@link ArithmeticException}), and a
 * keep-alive of at least 1 second (a shorter one floods the connection); the same for {@link
 * MasterOptions}.
 */
class DurationBoundsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "muxtest.connect.timeout",
        "muxtest.exec.timeout",
        "muxtest.tunnel.readyTimeout",
        "muxtest.keepalive.interval",
        "muxtest.suite.idleTimeout"
      })
  void everyDurationSettingIsAtMost24Hours(String key) {
    for (String tooLong : new String[] {"3000000h", "25h", "1441m", "86401s", "PT24H0.001S"}) {
      assertThatThrownBy(() -> Settings.from(lookup(Map.of(key, tooLong))))
          .as("%s=%s", key, tooLong)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Configuration parameter '"
                  + key
                  + "' must be at most 24h, but was '"
                  + tooLong
                  + "'");
    }
    for (String longest : new String[] {"24h", "1440m", "86400s", "PT24H"}) {
      assertThat(Settings.from(lookup(Map.of(key, longest)))).as("%s=%s", key, longest).isNotNull();
    }
  }

  @Test
  void theLongestExecTimeoutIsUsable() {
    Settings settings = Settings.from(lookup(Map.of(Settings.EXEC_TIMEOUT.name(), "24h")));

    assertThat(settings.execTimeout()).isEqualTo(Duration.ofHours(24));
    // What the engines do with it: no overflow.
    assertThat(settings.execTimeout().toNanos()).isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1ms", "999ms", "PT0.5S"})
  void keepAliveBelowOneSecondIsRefused(String value) {
    assertThatThrownBy(
            () -> Settings.from(lookup(Map.of(Settings.KEEPALIVE_INTERVAL.name(), value))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.keepalive.interval' must be at least 1s, but was '"
                + value
                + "'");
  }

  @Test
  void keepAliveOfOneSecondAndOtherDurationsBelowOneSecondAreAccepted() {
    Settings settings =
        Settings.from(
            lookup(
                Map.of(
                    Settings.KEEPALIVE_INTERVAL.name(), "1s",
                    Settings.EXEC_TIMEOUT.name(), "500ms",
                    Settings.CONNECT_TIMEOUT.name(), "1ms")));

    assertThat(settings.keepAliveInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(settings.execTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(1));
  }

  @Test
  void masterOptionsTimeoutsAreAtMost24Hours() {
    MasterOptions defaults = MasterOptions.defaults();
    Duration tooLong = Duration.ofHours(3_000_000);

    assertThatThrownBy(() -> defaults.withExecTimeout(tooLong))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("MasterOptions: execTimeout must be at most 24h but was PT3000000H");
    assertThatThrownBy(() -> defaults.withConnectTimeout(Duration.ofHours(24).plusMillis(1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectTimeout must be at most 24h");
    assertThatThrownBy(() -> defaults.withKeepAliveInterval(Duration.ofDays(2)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepAliveInterval must be at most 24h");
    assertThatThrownBy(() -> defaults.withExecTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("execTimeout must be at most 24h");

    assertThat(defaults.withExecTimeout(Duration.ofHours(24)).execTimeout())
        .contains(Duration.ofHours(24));
  }

  @Test
  void masterOptionsKeepAliveIsAtLeastOneSecond() {
    MasterOptions defaults = MasterOptions.defaults();

    assertThatThrownBy(() -> defaults.withKeepAliveInterval(Duration.ofMillis(1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("MasterOptions: keepAliveInterval must be at least 1s but was PT0.001S");
    assertThat(defaults.withKeepAliveInterval(Duration.ofSeconds(1)).keepAliveInterval())
        .contains(Duration.ofSeconds(1));
    // Timeouts other than the keep-alive may be short.
    assertThat(defaults.withExecTimeout(Duration.ofMillis(1)).execTimeout())
        .contains(Duration.ofMillis(1));
  }

  private static java.util.function.Function<String, Optional<String>> lookup(
      Map<String, String> parameters) {
    return key -> Optional.ofNullable(parameters.get(key));
  }
}
