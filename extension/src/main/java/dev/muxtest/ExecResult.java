package dev.muxtest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Outcome of a command run over the SSH master: its exit status and its output exactly as the
 * server sent it, with a UTF-8 view of each stream.
 *
 * @param exitCode the command's exit status
 * @param stdoutBytes everything the command wrote to standard output, byte for byte
 * @param stderrBytes everything the command wrote to standard error, byte for byte
 */
public record ExecResult(int exitCode, byte[] stdoutBytes, byte[] stderrBytes) {

  /** Creates a result holding copies of the output; {@code null} output is taken as empty. */
  public ExecResult {
    stdoutBytes = stdoutBytes == null ? new byte[0] : stdoutBytes.clone();
    stderrBytes = stderrBytes == null ? new byte[0] : stderrBytes.clone();
  }

  /** Creates a result from text output, encoded as UTF-8; {@code null} output is taken as empty. */
  public ExecResult(int exitCode, String stdout, String stderr) {
    this(exitCode, utf8(stdout), utf8(stderr));
  }

  private static byte[] utf8(String text) {
    return Objects.requireNonNullElse(text, "").getBytes(StandardCharsets.UTF_8);
  }

  /** Standard output exactly as sent: a new copy on each call. */
  @Override
  public byte[] stdoutBytes() {
    return stdoutBytes.clone();
  }

  /** Standard error exactly as sent: a new copy on each call. */
  @Override
  public byte[] stderrBytes() {
    return stderrBytes.clone();
  }

  /**
   * Standard output decoded as UTF-8; bytes that are not UTF-8 become U+FFFD (use {@link
   * #stdoutBytes()} for those).
   */
  public String stdout() {
    return new String(stdoutBytes, StandardCharsets.UTF_8);
  }

  /**
   * Standard error decoded as UTF-8; bytes that are not UTF-8 become U+FFFD (use {@link
   * #stderrBytes()} for those).
   */
  public String stderr() {
    return new String(stderrBytes, StandardCharsets.UTF_8);
  }

  /** Whether the command exited with status 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Equal when the exit status and both outputs are equal byte for byte. */
  @Override
  public boolean equals(Object other) {
    return other instanceof ExecResult that
        && exitCode == that.exitCode
        && Arrays.equals(stdoutBytes, that.stdoutBytes)
        && Arrays.equals(stderrBytes, that.stderrBytes);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * exitCode + Arrays.hashCode(stdoutBytes)) + Arrays.hashCode(stderrBytes);
  }

  /** The exit status and the UTF-8 view of both outputs. */
  @Override
  public String toString() {
    return "ExecResult[exitCode="
        + exitCode
        + ", stdout="
        + stdout()
        + ", stderr="
        + stderr()
        + "]";
  }
}
