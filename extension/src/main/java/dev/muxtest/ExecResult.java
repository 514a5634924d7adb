package dev.muxtest;

import java.util.Objects;

/**
 * Outcome of a command run over the SSH master.
 *
 * @param exitCode the command's exit status
 * @param stdout everything the command wrote to standard output, decoded as UTF-8
 * @param stderr everything the command wrote to standard error, decoded as UTF-8
 */
public record ExecResult(int exitCode, String stdout, String stderr) {

  /** Creates a result; {@code null} output is taken as empty. */
  public ExecResult {
    stdout = Objects.requireNonNullElse(stdout, "");
    stderr = Objects.requireNonNullElse(stderr, "");
  }

  /** Whether the command exited with status 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }
}
