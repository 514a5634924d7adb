package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.DefaultServer;
import dev.muxtest.internal.engine.DefaultServerScope;
import dev.muxtest.internal.engine.Setting;
import dev.muxtest.internal.engine.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

  private static final String KEY = "muxtest.exec.timeout";

  static Stream<Arguments> goodDurations() {
    return Stream.of(
        Arguments.of("30", Duration.ofSeconds(30)),
        Arguments.of("30s", Duration.ofSeconds(30)),
        Arguments.of("500ms", Duration.ofMillis(500)),
        Arguments.of("2m", Duration.ofMinutes(2)),
        Arguments.of("1h", Duration.ofHours(1)),
        Arguments.of("PT30S", Duration.ofSeconds(30)),
        Arguments.of("PT1M30S", Duration.ofSeconds(90)),
        Arguments.of("pt30s", Duration.ofSeconds(30)),
        Arguments.of(" 30s ", Duration.ofSeconds(30)),
        Arguments.of("30 s", Duration.ofSeconds(30)),
        Arguments.of("2M", Duration.ofMinutes(2)),
        Arguments.of("1ms", Duration.ofMillis(1)));
  }

  @ParameterizedTest(name = "\"{0}\" is {1}")
  @MethodSource("goodDurations")
  void parsesDuration(String text, Duration expected) {
    assertThat(Setting.parseDuration(KEY, text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "\"{0}\" is rejected")
  @ValueSource(
      strings = {
        "",
        " ",
        "abc",
        "0",
        "0ms",
        "PT0S",
        "-5s",
        "PT-1S",
        "PT",
        "1.5s",
        "5 min",
        "30x",
        "P1D",
        "PT9999999999999999999H"
      })
  void rejectsWhatIsNotAPositiveDuration(String text) {
    assertThatThrownBy(() -> Setting.parseDuration(KEY, text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.exec.timeout' must be a positive duration such as 30s, 500ms, "
                + "2m or PT30S, but was '"
                + text
                + "'")
        .hasNoCause();
  }

  @ParameterizedTest(name = "\"{0}\" is rejected")
  @ValueSource(strings = {"99999999999999999999", "9999999999999999h"})
  void rejectsAmountsTooLargeToRepresent(String text) {
    assertThatThrownBy(() -> Setting.parseDuration(KEY, text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.exec.timeout' must be a positive duration such as 30s, 500ms, "
                + "2m or PT30S, but was '"
                + text
                + "'");
  }

  @Test
  void defaultsApplyWhenNoKeyIsSet() {
    Settings settings = Settings.from(key -> Optional.empty());

    assertThat(settings).isEqualTo(Settings.DEFAULTS);
    assertThat(settings.baseImage()).isEmpty();
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.execTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.tunnelReadyTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.keepAliveInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.transferMaxSize()).isEqualTo(1024L * 1024 * 1024);
    assertThat(settings.environmentAllow()).containsExactly("LANG", "LC_*", "MUXTEST_*");
  }

  @ParameterizedTest(name = "environment allow list \"{0}\" is rejected")
  @ValueSource(strings = {"*", "A B", "A=B", "1A", "A*B", "-X"})
  void rejectsEnvironmentAllowEntriesThatAreNotNamesOrPrefixes(String value) {
    assertThatThrownBy(
            () -> Settings.from(lookup(Map.of("muxtest.exec.environment.allow", "LANG," + value))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'muxtest.exec.environment.allow'")
        .hasMessageContaining("'" + value + "'");
  }

  @Test
  void eachKeySetsItsOwnSetting() {
    Settings settings =
        Settings.from(
            lookup(
                Map.ofEntries(
                    Map.entry("muxtest.sshd.baseImage", "debian:12"),
                    Map.entry("muxtest.connect.timeout", "1s"),
                    Map.entry("muxtest.exec.timeout", "2m"),
                    Map.entry("muxtest.tunnel.readyTimeout", "3500ms"),
                    Map.entry("muxtest.keepalive.interval", "PT4S"),
                    Map.entry("muxtest.engine", "openssh"),
                    Map.entry("muxtest.openssh.executable", "/usr/local/bin/ssh"),
                    Map.entry("muxtest.openssh.controlDir", "/run/muxtest"),
                    Map.entry("muxtest.sessions.max", "4"),
                    Map.entry("muxtest.reconnect", "TRUE"),
                    Map.entry("muxtest.scope", "suite"),
                    Map.entry("muxtest.suite.idleTimeout", "90s"),
                    Map.entry("muxtest.exec.maxOutput", "16MiB"),
                    Map.entry("muxtest.transfer.maxSize", "1536m"),
                    Map.entry("muxtest.exec.environment.allow", " APP_*, TZ ,LANG"))));

    assertThat(settings)
        .isEqualTo(
            Settings.DEFAULTS
                .withBaseImage(Optional.of("debian:12"))
                .with(Settings.CONNECT_TIMEOUT, Duration.ofSeconds(1))
                .with(Settings.EXEC_TIMEOUT, Duration.ofMinutes(2))
                .with(Settings.TUNNEL_READY_TIMEOUT, Duration.ofMillis(3500))
                .with(Settings.KEEPALIVE_INTERVAL, Duration.ofSeconds(4))
                .with(Settings.ENGINE, Engine.OPENSSH)
                .with(Settings.SSH_EXECUTABLE, "/usr/local/bin/ssh")
                .with(Settings.CONTROL_DIRECTORY, Optional.of(Path.of("/run/muxtest")))
                .with(Settings.SESSION_BUDGET, OptionalInt.of(4))
                .with(Settings.RECONNECT, true)
                .with(Settings.SCOPE, Scope.SUITE)
                .with(Settings.SUITE_IDLE_TIMEOUT, Optional.of(Duration.ofSeconds(90)))
                .with(Settings.EXEC_MAX_OUTPUT, 16L * 1024 * 1024)
                .with(Settings.DEFAULT_SERVER, DefaultServer.CONTAINER)
                .with(Settings.TRANSFER_MAX_SIZE, 1536L * 1024 * 1024)
                .with(
                    Settings.EXEC_ENVIRONMENT_ALLOW,
                    List.of("LANG", "LC_*", "MUXTEST_*", "APP_*", "TZ")));
    assertThat(settings.transferMaxSize()).isEqualTo(1536L * 1024 * 1024);
    assertThat(settings.engine()).isEqualTo(Engine.OPENSSH);
    assertThat(settings.sshExecutable()).isEqualTo("/usr/local/bin/ssh");
    assertThat(settings.controlDirectory()).contains(Path.of("/run/muxtest"));
    assertThat(settings.sessionBudget()).hasValue(4);
    assertThat(settings.reconnect()).isTrue();
    assertThat(settings.scope()).isEqualTo(Scope.SUITE);
    assertThat(settings.suiteIdleTimeout()).contains(Duration.ofSeconds(90));
    assertThat(settings.maxOutput()).isEqualTo(16L * 1024 * 1024);
  }

  @Test
  void keysThatAreAbsentKeepTheirDefaults() {
    Settings settings = Settings.from(lookup(Map.of("muxtest.tunnel.readyTimeout", "5s")));

    assertThat(settings)
        .isEqualTo(Settings.DEFAULTS.with(Settings.TUNNEL_READY_TIMEOUT, Duration.ofSeconds(5)));
    assertThat(settings.baseImage()).isEmpty();
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.execTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.keepAliveInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.engine()).isEqualTo(Engine.MINA);
    assertThat(settings.sshExecutable()).isEqualTo("ssh");
    assertThat(settings.controlDirectory()).isEmpty();
    assertThat(settings.sessionBudget()).isEmpty();
    assertThat(settings.reconnect()).isFalse();
    assertThat(settings.scope()).isEqualTo(Scope.CLASS);
    assertThat(settings.suiteIdleTimeout()).isEmpty();
    assertThat(settings.maxOutput()).isEqualTo(64L * 1024 * 1024);
    assertThat(settings.defaultServer()).isEqualTo(DefaultServer.CONTAINER);
    assertThat(settings.defaultServerScope()).isEqualTo(DefaultServerScope.RUN);
  }

  @ParameterizedTest(name = "output size \"{0}\" is rejected")
  @ValueSource(strings = {"0", "-1", "lots", "3g", "99999999999999999999", "12 TB"})
  void rejectsOutputSizesThatAreNotFrom1ByteTo2GiB(String value) {
    assertThatThrownBy(() -> Settings.from(lookup(Map.of("muxtest.exec.maxOutput", value))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'muxtest.exec.maxOutput'")
        .hasMessageContaining(value);
  }

  @ParameterizedTest(name = "output size \"{0}\" is {1} bytes")
  @CsvSource({
    "1, 1",
    "512k, 524288",
    "64m, 67108864",
    "1g, 1073741824",
    "2KiB, 2048",
    "3 MB, 3145728"
  })
  void readsOutputSizesInBinaryUnits(String value, long bytes) {
    assertThat(Settings.from(lookup(Map.of("muxtest.exec.maxOutput", value))).maxOutput())
        .isEqualTo(bytes);
  }

  @ParameterizedTest(name = "session budget \"{0}\" is rejected")
  @ValueSource(strings = {"0", "-1", "many", "99999999999"})
  void rejectsSessionBudgetsThatAreNotPositiveWholeNumbers(String value) {
    assertThatThrownBy(() -> Settings.from(lookup(Map.of("muxtest.sessions.max", value))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.sessions.max' must be a positive whole number, but was '"
                + value
                + "'");
  }

  @ParameterizedTest(name = "reconnect \"{0}\" is rejected")
  @ValueSource(strings = {"yes", "1", ""})
  void rejectsReconnectValuesOtherThanTrueOrFalse(String value) {
    assertThatThrownBy(() -> Settings.from(lookup(Map.of("muxtest.reconnect", value))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.reconnect' must be true or false, but was '"
                + value
                + "'");
  }

  @ParameterizedTest(name = "scope \"{0}\" is rejected")
  @ValueSource(strings = {"DEFAULT", "method", ""})
  void rejectsUnknownScopes(String value) {
    assertThatThrownBy(() -> Settings.from(lookup(Map.of("muxtest.scope", value))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.scope' must be CLASS or SUITE, but was '"
                + value
                + "'");
  }

  @ParameterizedTest(name = "engine \"{0}\" is rejected")
  @ValueSource(strings = {"DEFAULT", "putty", ""})
  void rejectsUnknownEngines(String value) {
    assertThatThrownBy(() -> Settings.from(lookup(Map.of("muxtest.engine", value))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.engine' must be MINA or OPENSSH, but was '"
                + value
                + "'");
  }

  @Test
  void baseImageIsStripped() {
    assertThat(Settings.from(lookup(Map.of("muxtest.sshd.baseImage", "  debian:12  "))).baseImage())
        .contains("debian:12");
  }

  @Test
  void theBaseImageKeyHasOneDefaultAndAParameterWinsOverTheEnvironment() {
    assertThat(Settings.BASE_IMAGE.name()).isEqualTo("muxtest.sshd.baseImage");
    assertThat(Settings.BASE_IMAGE.defaultValue()).isEqualTo("debian:bookworm-slim");
    assertThat(
            Settings.BASE_IMAGE.readWithEnvironment(
                lookup(Map.of("muxtest.sshd.baseImage", " debian:12 "))))
        .isEqualTo("debian:12");
    String environment = System.getenv("MUXTEST_BASE_IMAGE");
    assertThat(Settings.BASE_IMAGE.readWithEnvironment(key -> Optional.empty()))
        .isEqualTo(
            environment == null || environment.isBlank()
                ? "debian:bookworm-slim"
                : environment.strip());
  }

  @Test
  void blankBaseImageCountsAsUnset() {
    assertThat(Settings.from(lookup(Map.of("muxtest.sshd.baseImage", "   "))).baseImage())
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "muxtest.connect.timeout",
        "muxtest.exec.timeout",
        "muxtest.tunnel.readyTimeout",
        "muxtest.keepalive.interval"
      })
  void invalidValueIsReportedWithItsKey(String key) {
    assertThatThrownBy(() -> Settings.from(lookup(Map.of(key, "soon"))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter '"
                + key
                + "' must be a positive duration such as 30s, 500ms, 2m or "
                + "PT30S, but was 'soon'");
  }

  private static Function<String, Optional<String>> lookup(Map<String, String> parameters) {
    return key -> Optional.ofNullable(parameters.get(key));
  }
}
