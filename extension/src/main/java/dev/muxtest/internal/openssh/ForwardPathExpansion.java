package dev.muxtest.internal.openssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an OpenSSH client expands {@code %} tokens in the socket path of a {@code -L} forward:
 * since 8.3 it does ({@code %%} then stands for {@code %}), before it took the path as it is. Asked
 * of {@code ssh -V} once per executable, and only for a path with a {@code %}.
 */
final class ForwardPathExpansion {

  private static final Pattern VERSION = Pattern.compile("OpenSSH_(\\d+)\\.(\\d+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Map<String, Boolean> EXPANDS = new ConcurrentHashMap<>();

  private ForwardPathExpansion() {}

  /**
   * Whether {@code executable} expands {@code %} in forward paths; true when its version cannot be
   * read (every OpenSSH of the last years does).
   */
  static boolean expandsPercent(String executable, Path workDir) {
    return EXPANDS.computeIfAbsent(
        executable,
        ssh -> {
          SshCommand.Result result =
              SshCommand.run(List.of(ssh, "-V"), Map.of(), workDir, TIMEOUT, 4096);
          return expandsPercent(result.stderr() + result.stdout());
        });
  }

  /** Whether the version {@code ssh -V} printed is 8.3 or later; true if none is found. */
  static boolean expandsPercent(String versionText) {
    Matcher version = VERSION.matcher(versionText);
    if (!version.find()) {
      return true;
    }
    int major = Integer.parseInt(version.group(1));
    int minor = Integer.parseInt(version.group(2));
    return major > 8 || major == 8 && minor >= 3;
  }
}
