package dev.muxtest.internal.openssh;

import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.CommandText;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One run of the OpenSSH client program, bounded in time and in output, its output captured in
 * files of the private control directory (pipes would tie us to processes that outlive the call,
 * such as a master going to the background).
 */
final class SshCommand {

  /** What a finished run printed, byte for byte, and returned. */
  record Result(int exitCode, byte[] stdoutBytes, byte[] stderrBytes) {

    /** Stdout as text; bytes that are not UTF-8 become U+FFFD, as on the MINA engine. */
    String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    /** Stderr as text, as {@link #stdout()}. */
    String stderr() {
      return new String(stderrBytes, StandardCharsets.UTF_8);
    }
  }

  private static final System.Logger LOG = System.getLogger(SshCommand.class.getName());

  /**
   * How often the output files are measured while the program runs: what a fast writer can put on
   * disk beyond the bound in that time is all the overshoot there is.
   */
  private static final long POLL_MILLIS = 20;

  /** Bound on waiting for a killed program to be gone. */
  private static final long KILL_WAIT_SECONDS = 5;

  /** The program did not end within its bound, and was killed. */
  static final class TimedOut extends SshOperationException {
    TimedOut(String message) {
      super(message);
    }
  }

  /** The program wrote more than its bound to one stream, and was killed. */
  static final class OutputTooLarge extends SshOperationException {
    private final String stream;
    private final long limit;

    OutputTooLarge(String stream, long limit, String message) {
      super(message);
      this.stream = stream;
      this.limit = limit;
    }

    /** {@code stdout} or {@code stderr}. */
    String stream() {
      return stream;
    }

    /** The bound it went over, in bytes. */
    long limit() {
      return limit;
    }
  }

  /** A file the program writes grew past its bound, and the program was killed. */
  static final class FileTooLarge extends SshOperationException {
    FileTooLarge(String message) {
      super(message);
    }
  }

  private SshCommand() {}

  /**
   * Runs {@code command} as {@link #run(List, Map, Path, Duration, long)} does, and also measures
   * {@code written}, a file the program writes, at the same pace as its output.
   *
   * @throws FileTooLarge if {@code written} grows over {@code maxWritten} bytes (the program is
   *     then killed; the overshoot is what it writes in one look's time)
   */
  static Result run(
      List<String> command,
      Map<String, String> environment,
      Path workDir,
      Duration timeout,
      long maxOutput,
      Path written,
      long maxWritten) {
    return run(command, environment, workDir, timeout, maxOutput, Optional.of(written), maxWritten);
  }

  /**
   * Runs {@code command} and waits for it. Whatever way this ends (in time, timed out, too much
   * output, interrupted), the program and its descendants are not left running.
   *
   * @param maxOutput most bytes the program may write to each of stdout and stderr
   * @throws TimedOut if it does not end within {@code timeout} (it is then killed)
   * @throws OutputTooLarge if it writes more than {@code maxOutput} bytes to one stream (it is then
   *     killed)
   * @throws SshOperationException if it cannot start, or the thread is interrupted (the program is
   *     killed, the thread's flag set again)
   */
  static Result run(
      List<String> command,
      Map<String, String> environment,
      Path workDir,
      Duration timeout,
      long maxOutput) {
    return run(command, environment, workDir, timeout, maxOutput, Optional.empty(), 0);
  }

  private static Result run(
      List<String> command,
      Map<String, String> environment,
      Path workDir,
      Duration timeout,
      long maxOutput,
      Optional<Path> written,
      long maxWritten) {
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      out = Files.createTempFile(workDir, "out", ".txt");
      err = Files.createTempFile(workDir, "err", ".txt");
      process = start(command, environment, out.toFile(), err.toFile());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        boolean ended =
            process.waitFor(Math.max(0, Math.min(POLL_MILLIS, leftMillis)), TimeUnit.MILLISECONDS);
        // Measured after the end too: a fast program may write past the bound and exit between two
        // looks.
        Optional<OutputTooLarge> tooLarge = tooLarge(out, err, maxOutput, command);
        if (tooLarge.isPresent()) {
          throw tooLarge.get();
        }
        if (written.isPresent() && Files.size(written.get()) > maxWritten) {
          throw new FileTooLarge(
              String.format(
                  "Wrote more than %d bytes to %s, and was ended: %s",
                  maxWritten, written.get(), String.join(" ", command)));
        }
        if (ended) {
          break;
        }
        if (deadline - System.nanoTime() <= 0) {
          throw new TimedOut(
              "Did not finish within "
                  + timeout
                  + ": "
                  + CommandText.shorten(String.join(" ", command)));
        }
      }
      return new Result(process.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot run " + CommandText.shorten(String.join(" ", command)) + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      // The finally block kills the program before this reaches the caller.
      Thread.currentThread().interrupt();
      throw new SshOperationException(
          "Interrupted while running "
              + CommandText.shorten(String.join(" ", command))
              + " (it was ended)",
          e);
    } finally {
      killQuietly(process);
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static Optional<OutputTooLarge> tooLarge(
      Path out, Path err, long maxOutput, List<String> command) throws IOException {
    for (Path file : List.of(out, err)) {
      if (Files.size(file) > maxOutput) {
        String stream = file == out ? "stdout" : "stderr";
        return Optional.of(
            new OutputTooLarge(
                stream,
                maxOutput,
                String.format(
                    "Wrote more than %d bytes to %s, and was ended: %s",
                    maxOutput, stream, CommandText.shorten(String.join(" ", command)))));
      }
    }
    return Optional.empty();
  }

  /** Starts {@code command} with stdin at end of file and its output going to the given files. */
  static Process start(List<String> command, Map<String, String> environment, File out, File err)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(new ArrayList<>(command))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out)
            .redirectError(err);
    builder.environment().putAll(environment);
    return builder.start();
  }

  /**
   * Kills {@code process} and its descendants (those not yet gone to the background) unless it has
   * ended, and waits a bounded time for it, also on an interrupted thread.
   */
  static void killQuietly(Process process) {
    if (process == null || !process.isAlive()) {
      return;
    }
    // Descendants first: once the process is gone, they are no longer known as its descendants.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    boolean interrupted = Thread.interrupted();
    try {
      if (!process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.log(
            System.Logger.Level.WARNING, "ssh process {0} did not end when killed", process.pid());
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // The private directory goes with the master; a file left there until then is harmless.
        LOG.log(System.Logger.Level.DEBUG, "Cannot delete {0}: {1}", file, e.getMessage());
      }
    }
  }
}
