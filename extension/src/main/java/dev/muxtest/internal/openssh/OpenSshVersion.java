package dev.muxtest.internal.openssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of an OpenSSH client, for the options that depend on it: asked of {@code ssh -V} once
 * per executable and JVM.
 */
record OpenSshVersion(int major, int minor) {

  private static final Pattern VERSION = Pattern.compile("OpenSSH_(\\d+)\\.(\\d+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Map<String, Optional<OpenSshVersion>> KNOWN = new ConcurrentHashMap<>();

  /** The version {@code executable} prints, if it prints one OpenSSH's way. */
  static Optional<OpenSshVersion> of(String executable, Path workDir) {
    return KNOWN.computeIfAbsent(
        executable,
        ssh -> {
          SshCommand.Result result =
              SshCommand.run(List.of(ssh, "-V"), Map.of(), workDir, TIMEOUT, 4096);
          return parse(result.stderr() + result.stdout());
        });
  }

  /** The version in {@code ssh -V}'s words ({@code OpenSSH_9.2p1 ...}), if there is one. */
  static Optional<OpenSshVersion> parse(String versionText) {
    Matcher version = VERSION.matcher(versionText);
    return version.find()
        ? Optional.of(
            new OpenSshVersion(
                Integer.parseInt(version.group(1)), Integer.parseInt(version.group(2))))
        : Optional.empty();
  }

  /** Whether this is {@code major.minor} or later. */
  boolean atLeast(int major, int minor) {
    return this.major > major || this.major == major && this.minor >= minor;
  }
}
