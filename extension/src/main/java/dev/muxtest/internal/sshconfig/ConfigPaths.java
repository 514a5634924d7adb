package dev.muxtest.internal.sshconfig;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Paths in an ssh config as OpenSSH's {@code tilde_expand_filename} takes them: {@code ~} and
 * {@code ~/...} are the local user's home ({@code user.home}, read when the config is read), {@code
 * ~user/...} only for the local user (muxtest looks up no other account); other relative paths are
 * taken from the working directory, as OpenSSH does for key and known_hosts files.
 */
final class ConfigPaths {

  private ConfigPaths() {}

  /** The local user's home directory. */
  static Path home() {
    return Path.of(System.getProperty("user.home"));
  }

  /** {@code value}, an argument of {@code line}, as an absolute path. */
  static Path path(ConfigLine line, String value) {
    return path(line, value, null);
  }

  /**
   * {@code value} as an absolute path, a relative one taken from {@code base} (the working
   * directory when null).
   */
  static Path path(ConfigLine line, String value, Path base) {
    try {
      Path expanded = tildeExpanded(line, value);
      return (base == null || expanded.isAbsolute() ? expanded : base.resolve(expanded))
          .toAbsolutePath()
          .normalize();
    } catch (InvalidPathException e) {
      throw line.error(Strings.shown(value) + " is not a valid path: " + e.getMessage());
    }
  }

  private static Path tildeExpanded(ConfigLine line, String value) {
    if (!value.startsWith("~")) {
      return Path.of(value);
    }
    int slash = value.indexOf('/');
    String owner = value.substring(1, slash < 0 ? value.length() : slash);
    if (!owner.isEmpty() && !owner.equals(System.getProperty("user.name"))) {
      throw line.error(
          Strings.shown(value)
              + " is in the home directory of "
              + Strings.shown(owner)
              + ", which muxtest does not look up; write the path out");
    }
    return slash < 0 ? home() : home().resolve(value.substring(slash + 1));
  }
}
