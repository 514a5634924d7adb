package dev.muxtest.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which environment variables a command may send to the server: names from an allow list (by
 * default what the reference sshd accepts, {@code LANG}, {@code LC_*}, {@code MUXTEST_*}, extended
 * by {@link Settings#EXEC_ENVIRONMENT_ALLOW}), never one that a local ssh client, its dynamic
 * loader or its libraries read, whatever the list says: the same names must be safe on both
 * engines, and a client program is not the place to find out whether one of them leaked into its
 * own process.
 */
public final class EnvironmentNames {

  /** What the reference sshd's AcceptEnv takes. */
  public static final List<String> DEFAULT_ALLOWED = List.of("LANG", "LC_*", "MUXTEST_*");

  /** Prefixes read by the loader or libraries of a local client: never sent. */
  private static final List<String> NEVER_PREFIXES =
      List.of("LD_", "DYLD_", "MALLOC_", "SSH_", "OPENSSL_");

  /** Names read by a local client, its shell (ProxyCommand) or its resolver: never sent. */
  private static final List<String> NEVER_NAMES =
      List.of(
          "GLIBC_TUNABLES",
          "SHELL",
          "PATH",
          "HOME",
          "TMPDIR",
          "GCONV_PATH",
          "LOCALDOMAIN",
          "RES_OPTIONS",
          "HOSTALIASES");

  /** A name, or a prefix of names ending in {@code *}, as the setting takes them. */
  private static final Pattern ENTRY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\*?");

  private EnvironmentNames() {}

  /**
   * Why {@code name} (a well-formed variable name) may not be sent, if it may not.
   *
   * @param allowed names and {@code PREFIX_*} patterns that may be sent
   */
  static Optional<String> problem(String name, List<String> allowed) {
    if (NEVER_NAMES.contains(name) || NEVER_PREFIXES.stream().anyMatch(name::startsWith)) {
      return Optional.of(
          "is never sent: a local ssh client, its loader or its libraries read it (LD_*, DYLD_*,"
              + " MALLOC_*, SSH_*, OPENSSL_*, "
              + String.join(", ", NEVER_NAMES)
              + "), whatever "
              + Settings.EXEC_ENVIRONMENT_ALLOW
              + " says");
    }
    for (String entry : allowed) {
      if (entry.endsWith("*")
          ? name.startsWith(entry.substring(0, entry.length() - 1))
          : name.equals(entry)) {
        return Optional.empty();
      }
    }
    return Optional.of(
        "is not allowed: only "
            + String.join(", ", allowed)
            + " (add names or PREFIX_* patterns to "
            + Settings.EXEC_ENVIRONMENT_ALLOW
            + ")");
  }

  /**
   * Parses {@link Settings#EXEC_ENVIRONMENT_ALLOW}: a comma-separated list of names and {@code
   * PREFIX_*} patterns, added to {@link #DEFAULT_ALLOWED}.
   *
   * @throws IllegalArgumentException naming the key and the entry that is neither (not JUnit's
   *     exception: below the JUnit adapter the library speaks its own)
   */
  public static List<String> parse(String key, String value) {
    List<String> allowed = new ArrayList<>(DEFAULT_ALLOWED);
    for (String raw : value.split(",", -1)) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      if (!ENTRY.matcher(entry).matches()) {
        throw new IllegalArgumentException(
            String.format(
                "Configuration parameter '%s' must be a comma-separated list of variable names and"
                    + " PREFIX_* patterns ([A-Za-z_][A-Za-z0-9_]* with an optional trailing *),"
                    + " but has '%s'",
                key, entry));
      }
      if (!allowed.contains(entry)) {
        allowed.add(entry);
      }
    }
    return List.copyOf(allowed);
  }
}
