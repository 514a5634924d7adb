package dev.muxtest.internal.openssh;

import dev.muxtest.SshOperationException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of the OpenSSH client program, bounded in time, its output captured in files of the
 * private control directory (pipes would tie us to processes that outlive the call, such as a
 * master going to the background).
 */
final class SshCommand {

  /** What a finished run printed and returned. */
  record Result(int exitCode, String stdout, String stderr) {}

  private static final System.Logger LOG = System.getLogger(SshCommand.class.getName());

  /** The program did not end within its bound, and was killed. */
  static final class TimedOut extends SshOperationException {
    TimedOut(String message) {
      super(message);
    }
  }

  private SshCommand() {}

  /**
   * Runs {@code command} and waits for it.
   *
   * @throws SshOperationException if it cannot start or does not end within {@code timeout} (it is
   *     then killed)
   */
  static Result run(
      List<String> command, Map<String, String> environment, Path workDir, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile(workDir, "out", ".txt");
      err = Files.createTempFile(workDir, "err", ".txt");
      Process process = start(command, environment, out.toFile(), err.toFile());
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        throw new TimedOut("Did not finish within " + timeout + ": " + String.join(" ", command));
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshOperationException("Interrupted while running " + String.join(" ", command), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
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
