package dev.muxtest.internal.sshconfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files an {@code Include} pattern names, as {@code glob(3)} finds them for OpenSSH: {@code *},
 * {@code ?} and {@code [...]} in any component (not across {@code /}), a leading {@code .} matched
 * only by a {@code .}, in sorted order; a pattern that names nothing gives no file (OpenSSH skips
 * it).
 */
final class IncludeGlob {

  private IncludeGlob() {}

  /** The existing paths {@code pattern} (absolute) names, sorted. */
  static List<Path> files(Path pattern) {
    List<Path> found = new ArrayList<>(List.of(pattern.getRoot()));
    for (Path component : pattern) {
      String part = component.toString();
      List<Path> next = new ArrayList<>();
      if (!hasWildcard(part)) {
        for (Path dir : found) {
          Path candidate = dir.resolve(unescaped(part));
          if (Files.exists(candidate)) {
            next.add(candidate);
          }
        }
      } else {
        Pattern regex = regex(part);
        for (Path dir : found) {
          if (!Files.isDirectory(dir)) {
            continue;
          }
          try (Stream<Path> entries = Files.list(dir)) {
            entries
                .filter(p -> regex.matcher(p.getFileName().toString()).matches())
                .filter(p -> part.startsWith(".") || !p.getFileName().toString().startsWith("."))
                .sorted()
                .forEach(next::add);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      found = next;
    }
    return found.stream().sorted().toList();
  }

  private static boolean hasWildcard(String part) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '*' || c == '?' || c == '[') {
        return true;
      }
    }
    return false;
  }

  private static String unescaped(String part) {
    return part.replaceAll("\\\\(.)", "$1");
  }

  /** One component of a glob as a regular expression. */
  private static Pattern regex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '\\' && i + 1 < glob.length()) {
        regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
      } else if (c == '*') {
        regex.append(".*");
      } else if (c == '?') {
        regex.append('.');
      } else if (c == '[' && glob.indexOf(']', i + 2) > 0) {
        int end = glob.indexOf(']', i + 2);
        String set = glob.substring(i + 1, end);
        boolean negated = set.startsWith("!");
        regex.append(negated ? "[^" : "[");
        for (char s : (negated ? set.substring(1) : set).toCharArray()) {
          // Inside a class, a backslash before anything but a letter or digit is that character.
          regex.append(s == '-' || Character.isLetterOrDigit(s) ? "" : "\\").append(s);
        }
        regex.append(']');
        i = end;
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
