package dev.muxtest.internal.sshconfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a line of an ssh config as OpenSSH's {@code readconf.c} does: a keyword, then whitespace
 * or one {@code =}, then arguments split at spaces and tabs outside quotes.
 */
final class LineTokenizer {

  /** A keyword, then whitespace or one '=' (with optional whitespace), then its arguments. */
  private static final Pattern KEYWORD_LINE = Pattern.compile("([^\\s=]+)(?:\\s*=\\s*|\\s+)?(.*)");

  private LineTokenizer() {}

  /**
   * The line {@code number} of {@code file}, or empty for a blank line or a comment.
   *
   * @throws IllegalArgumentException for a line that does not start with a keyword, holds a
   *     carriage return other than at its end, or an argument with an unclosed quote or empty
   */
  static Optional<ConfigLine> line(Path file, int number, String text) {
    String line = text.strip();
    if (line.isEmpty() || line.startsWith("#")) {
      return Optional.empty();
    }
    if (line.indexOf('\r') >= 0) {
      // OpenSSH splits lines at \n only: what follows a lone \r is more of this line for ssh,
      // while an editor or cat may show it as a line of its own
      throw new IllegalArgumentException(
          "ssh config "
              + file
              + " line "
              + number
              + ": a carriage return (\\r) inside the line "
              + Strings.shown(line)
              + "; OpenSSH reads it as one line (what follows the \\r as more arguments); end"
              + " lines with \\n or \\r\\n");
    }
    Matcher m = KEYWORD_LINE.matcher(line);
    if (!m.matches()) {
      throw new ConfigLine(file, number, Strings.shown(line), List.of())
          .error("a line must start with a keyword");
    }
    String keyword = ConfigLine.spelled(m.group(1));
    ConfigLine bare = new ConfigLine(file, number, keyword, List.of());
    return Optional.of(new ConfigLine(file, number, keyword, arguments(m.group(2), bare)));
  }

  /**
   * The arguments as OpenSSH splits them: at spaces and tabs outside quotes, {@code "..."} or
   * {@code '...'} quoting, {@code \} escaping a quote, {@code \} or space, and {@code #} at the
   * start of an argument beginning a comment.
   */
  private static List<String> arguments(String text, ConfigLine at) {
    List<String> args = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t') {
        i++;
        continue;
      }
      if (c == '#') {
        break;
      }
      StringBuilder arg = new StringBuilder();
      char quote = 0;
      for (; i < text.length(); i++) {
        c = text.charAt(i);
        char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
        if (c == '\\'
            && (next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' '))) {
          arg.append(next);
          i++;
        } else if (quote == 0 && (c == ' ' || c == '\t')) {
          break;
        } else if (quote == 0 && (c == '"' || c == '\'')) {
          quote = c;
        } else if (quote != 0 && c == quote) {
          quote = 0;
        } else {
          arg.append(c);
        }
      }
      if (quote != 0) {
        throw at.error("a quote is not closed");
      }
      if (arg.length() == 0) {
        throw at.error("an empty value given");
      }
      args.add(arg.toString());
    }
    return args;
  }
}
