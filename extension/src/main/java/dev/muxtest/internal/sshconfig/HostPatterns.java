package dev.muxtest.internal.sshconfig;

import java.util.List;

/**
 * Whether a {@code Host} line applies to a name, as OpenSSH decides it ({@code readconf.c} and
 * {@code match.c}): {@code *} matches any run of characters, {@code ?} any one character, the
 * comparison is exact (case-sensitive, against the name as given), the line applies when one of its
 * patterns matches and none of its {@code !} patterns does: a line of negated patterns alone
 * matches nothing.
 */
final class HostPatterns {

  private HostPatterns() {}

  /** Whether the Host line with {@code patterns} applies to {@code name}. */
  static boolean applies(String name, List<String> patterns) {
    boolean matched = false;
    for (String pattern : patterns) {
      boolean negated = pattern.startsWith("!");
      if (matches(name, negated ? pattern.substring(1) : pattern)) {
        if (negated) {
          return false;
        }
        matched = true;
      }
    }
    return matched;
  }

  /** Whether {@code pattern} names {@code name} without wildcards. */
  static boolean literal(String pattern) {
    return !pattern.startsWith("!") && pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
  }

  /** {@code match.c}'s {@code match_pattern}: the whole of {@code s} against {@code pattern}. */
  static boolean matches(String s, String pattern) {
    // Two-pointer glob with backtracking to the last '*': linear in practice, never recursive.
    int si = 0;
    int pi = 0;
    int star = -1;
    int afterStar = 0;
    while (si < s.length()) {
      if (pi < pattern.length() && pattern.charAt(pi) == '*') {
        star = pi++;
        afterStar = si;
      } else if (pi < pattern.length()
          && (pattern.charAt(pi) == '?' || pattern.charAt(pi) == s.charAt(si))) {
        si++;
        pi++;
      } else if (star >= 0) {
        pi = star + 1;
        si = ++afterStar;
      } else {
        return false;
      }
    }
    while (pi < pattern.length() && pattern.charAt(pi) == '*') {
      pi++;
    }
    return pi == pattern.length();
  }
}
