package dev.muxtest.internal.sshconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link HostPatterns} against {@code match.c}'s {@code match_pattern} and readconf's Host. */
class HostPatternsTest {

  @ParameterizedTest(name = "{1} against {0}: {2}")
  @CsvSource({
    "a*b*c, aXbYbZc, true",
    "a*b*c, aXbYbZ, false",
    "*, '', true",
    "?, '', false",
    "'', '', true",
    "'', a, false",
    "**x, x, true",
    "*.example.org, www.example.org, true",
    "*.example.org, example.org, false",
    "10.0.?.1, 10.0.5.1, true",
    "10.0.?.1, 10.0.55.1, false",
    "web-*-db, web--db, true",
    "Web, web, false"
  })
  void patternsMatchTheWholeNameExactly(String pattern, String name, boolean matches) {
    assertThat(HostPatterns.matches(name, pattern)).isEqualTo(matches);
  }

  @ParameterizedTest(name = "Host {0} for {1}: {2}")
  @CsvSource({
    "'a b c', b, true",
    "'!a', b, false",
    "'!a !b', c, false",
    "'* !a', a, false",
    "'!a *', a, false",
    "'* !a', b, true",
    "'x* !xy*', xz, true",
    "'x* !xy*', xyz, false"
  })
  void aHostLineAppliesWhenAPatternMatchesAndNoNegatedOneDoes(
      String patterns, String name, boolean applies) {
    assertThat(HostPatterns.applies(name, List.of(patterns.split(" ")))).isEqualTo(applies);
  }
}
