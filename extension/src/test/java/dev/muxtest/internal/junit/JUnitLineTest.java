package dev.muxtest.internal.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JUnit line check, on version strings alone: no engine run, no Docker. */
class JUnitLineTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "5.10.0",
        "5.10.5",
        "5.10.0-M1",
        "5.10",
        "5.11.4",
        "5.12.2",
        "5.13.4",
        "5.14.1",
        "6.0.0",
        "6.1.3",
        " 5.12.2 "
      })
  void theFloorAndEveryLineAboveItAreSupported(String version) {
    assertThatCode(() -> JUnitLine.requireSupported(version, false)).doesNotThrowAnyException();
  }

  @Test
  void belowTheFloorFailsWithOneMessageNamingBothVersions() {
    assertThatThrownBy(() -> JUnitLine.requireSupported("5.9.3", true))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "muxtest needs JUnit Jupiter 5.10 or later, but found 5.9.3 on the test class path; "
                + "upgrade JUnit, for example by importing org.junit:junit-bom 5.10.0 or later.")
        .hasNoCause();
  }

  @ParameterizedTest
  @ValueSource(strings = {"5.9.3", "5.9.0-M1", "5.0.0", "5.8.2", "4.13.2", "5.1"})
  void everyOlderLineFails(String version) {
    assertThatThrownBy(() -> JUnitLine.requireSupported(version, true))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("but found " + version + " on the test class path");
  }

  @Test
  void anUnknownVersionIsJudgedByTheApiAddedIn510() {
    assertThatCode(() -> JUnitLine.requireSupported(null, true)).doesNotThrowAnyException();
    assertThatCode(() -> JUnitLine.requireSupported("unknown", true)).doesNotThrowAnyException();

    assertThatThrownBy(() -> JUnitLine.requireSupported(null, false))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(
            "muxtest needs JUnit Jupiter 5.10 or later, but found an older one (its junit-jupiter-api jar "
                + "names no version) on the test class path; upgrade JUnit, for example by importing "
                + "org.junit:junit-bom 5.10.0 or later.");
    assertThatThrownBy(() -> JUnitLine.requireSupported("custom-build", false))
        .hasMessageContaining(
            "found an older one (its junit-jupiter-api jar names version \"custom-build\")");
  }

  @Test
  void theRunningJupiterIsReadAndSupported() {
    // This build runs on 5.14 (or 6.x with -Pjunit6): its jar names its version, and has the 5.10
    // API.
    assertThat(JUnitLine.runningVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(JUnitLine.runningHasApiOfTheFloor()).isTrue();
    assertThatCode(JUnitLine::requireSupported).doesNotThrowAnyException();
    assertThatCode(JUnitLine::requireSupported)
        .as("decided once, the same on the second call")
        .doesNotThrowAnyException();
  }
}
