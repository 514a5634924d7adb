package dev.muxtest.internal.openssh;

import java.nio.file.Path;

/**
 * Whether an OpenSSH client expands {@code %} tokens in the socket path of a {@code -L} forward:
 * since 8.3 it does ({@code %%} then stands for {@code %}), before it took the path as it is. Asked
 * of {@code ssh -V} once per executable, and only for a path with a {@code %}.
 */
final class ForwardPathExpansion {

  private ForwardPathExpansion() {}

  /**
   * Whether {@code executable} expands {@code %} in forward paths; true when its version cannot be
   * read (every OpenSSH of the last years does).
   */
  static boolean expandsPercent(String executable, Path workDir) {
    return OpenSshVersion.of(executable, workDir).map(v -> v.atLeast(8, 3)).orElse(true);
  }

  /** Whether the version {@code ssh -V} printed is 8.3 or later; true if none is found. */
  static boolean expandsPercent(String versionText) {
    return OpenSshVersion.parse(versionText).map(v -> v.atLeast(8, 3)).orElse(true);
  }
}
