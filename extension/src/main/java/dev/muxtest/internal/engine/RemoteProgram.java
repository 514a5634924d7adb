package dev.muxtest.internal.engine;

import dev.muxtest.ExecResult;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The program of a process started without a terminal, as the server runs it. sshd starts each
 * session's command in a new session and process group (setsid), led by the shell whose pid the
 * command's first line prints; closing the channel ends nothing that neither reads nor writes, so
 * close ends that process group itself, through one exec, and waits until it is gone.
 */
final class RemoteProgram {

  /** The first line the server sends on stdout, ahead of the program's own output. */
  private static final String PID_LINE = "echo $$\n";

  /** How long each stage of the end (TERM, then KILL) may take on the server, in tenths of s. */
  private static final int STAGE_TENTHS = 50;

  /** Bound on the exec that ends a program: both stages and a session's opening. */
  static final Duration END_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration POLL_PAUSE = Duration.ofMillis(2);
  private static final int MAX_PID_DIGITS = 19;

  private RemoteProgram() {}

  /**
   * Whether closing the channel alone ends what {@code command} runs: with a terminal, whose
   * hang-up ends the program; and for a command starting with {@code -}, which the server's shell
   * takes as its own options ({@code bash -c -V}) and runs no program for. Such a command is sent
   * as it is: a line ahead of it would make it a command.
   */
  static boolean endsOnClose(String command, boolean terminal) {
    return terminal || command.startsWith("-");
  }

  /**
   * {@code command}, after a line that prints the shell's pid: the same shell runs the command as
   * before, and with {@code exec} the program keeps that pid.
   */
  static String withPidLine(String command) {
    return PID_LINE + command;
  }

  /**
   * Reads the pid line from the start of {@code process}'s stdout, within {@code bound}, and no
   * byte more: what the reader then gets is exactly the program's output. Empty if the process
   * ended (or its stream did) without one.
   */
  static OptionalLong readPid(RemoteProcess process, Duration bound) {
    InputStream out = process.stdout();
    StringBuilder digits = new StringBuilder();
    boolean[] complete = {false};
    Poll.until(
        bound,
        POLL_PAUSE,
        () -> {
          try {
            while (out.available() > 0) {
              int b = out.read();
              if (b == '\n') {
                complete[0] = true;
                return true;
              }
              if (b < '0' || b > '9' || digits.length() == MAX_PID_DIGITS) {
                return true; // not a pid line: nothing to take from it
              }
              digits.append((char) b);
            }
            return !process.isAlive() && out.available() == 0;
          } catch (IOException e) {
            return true;
          }
        });
    return complete[0] && digits.length() > 0
        ? OptionalLong.of(Long.parseLong(digits.toString()))
        : OptionalLong.empty();
  }

  /**
   * The shell text that ends process group {@code pid} (or the process alone, where the server made
   * no group of its own): TERM, then KILL after a bounded wait, and exits 0 only once nothing of it
   * is left, not even a zombie sshd has not reaped yet.
   */
  static String endCommand(long pid) {
    String alive = "{ kill -0 -" + pid + " || kill -0 " + pid + "; } 2>/dev/null";
    String await =
        "n=0; while "
            + alive
            + " && [ $n -lt "
            + STAGE_TENTHS
            + " ]; do sleep 0.1; n=$((n+1)); done; ";
    return "kill -TERM -"
        + pid
        + " 2>/dev/null || kill -TERM "
        + pid
        + " 2>/dev/null; "
        + await
        + "if "
        + alive
        + "; then kill -KILL -"
        + pid
        + " 2>/dev/null; kill -KILL "
        + pid
        + " 2>/dev/null; "
        + await
        + "fi; if "
        + alive
        + "; then echo still running; exit 1; fi; exit 0";
  }

  /**
   * Ends the program of {@code pid} through {@code exec}.
   *
   * @throws SshOperationException naming the pid and {@code what} if it cannot be ended
   */
  static void end(long pid, Exec exec, String what, String server) {
    ExecResult result;
    try {
      result = exec.run(endCommand(pid), END_TIMEOUT);
    } catch (RuntimeException e) {
      throw cannotEnd(pid, what, server, e.getMessage(), e);
    }
    if (result.exitCode() != 0) {
      throw cannotEnd(
          pid,
          what,
          server,
          "exit " + result.exitCode() + ": " + (result.stdout() + result.stderr()).strip(),
          null);
    }
  }

  private static SshOperationException cannotEnd(
      long pid, String what, String server, String why, Throwable cause) {
    return new SshOperationException(
        String.format(
            "Closed %s, but could not end its program on %s (pid and process group %d), which may still run there: %s",
            what, server, pid, why),
        cause);
  }

  /** Runs a command in a session the caller already holds. */
  @FunctionalInterface
  interface Exec {
    /** Runs {@code command} within {@code timeout}. */
    ExecResult run(String command, Duration timeout);
  }
}
