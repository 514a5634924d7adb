package dev.muxtest.internal.sshconfig;

import java.util.stream.Collectors;

/** Values shown in messages: quoted, control characters escaped, so a message stays one line. */
final class Strings {

  private Strings() {}

  /** {@code s} in double quotes, control characters escaped: a newline shows as \n. */
  public static String shown(String s) {
    return s == null ? "null" : "\"" + escaped(s) + "\"";
  }

  /** {@code s} with control characters, quotes and {@code \} escaped. */
  public static String escaped(String s) {
    return s.codePoints().mapToObj(Strings::escaped).collect(Collectors.joining());
  }

  /** {@code c} as {@link #escaped(String)} shows it. */
  public static String escaped(int c) {
    return switch (c) {
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      default ->
          Character.isISOControl(c)
                  || ((Character.isWhitespace(c) || Character.isSpaceChar(c)) && c != ' ')
              ? String.format("\\u%04x", c)
              : new String(Character.toChars(c));
    };
  }
}
