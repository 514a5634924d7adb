package dev.muxtest.samples;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a developer does by hand before running {@link YourOwnMasterTest}, done here by the sample
 * itself: opens a master with the system's {@code ssh -M -S <socket> -f -N} to {@code app.internal}
 * of the stand-in staging network ({@link StandInStaging}), through its bastion, and ends it
 * afterwards with {@code ssh -O exit}.
 */
final class StandInMaster {

  private static Path directory;
  private static Path socket;

  private StandInMaster() {}

  /** Ends the stand-in master and machines after the class (and after muxtest's proof). */
  static final class EndAfterTheClass implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
      stop();
    }
  }

  /** Opens the master (once) and returns its control socket. */
  static synchronized Path controlSocket() {
    if (socket != null) {
      return socket;
    }
    try {
      directory =
          Files.createTempDirectory(
              "own-master-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      socket = directory.resolve("staging.ctl");
      // -f: backgrounds itself once logged in, as a developer's master does after the second
      // factor.
      run(
          List.of(
              "ssh",
              "-F",
              StandInStaging.sshConfig().toString(),
              "-o",
              "BatchMode=yes",
              "-o",
              "StrictHostKeyChecking=yes",
              "-o",
              "ConnectTimeout=30",
              "-M",
              "-S",
              socket.toString(),
              "-f",
              "-N",
              "app.internal"));
      return socket;
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  /** Ends the master ({@code ssh -O exit}), and the stand-in machines. */
  static synchronized void stop() {
    try {
      if (socket != null && Files.exists(socket)) {
        run(List.of("ssh", "-S", socket.toString(), "-O", "exit", "app.internal"));
      }
      if (directory != null) {
        Files.deleteIfExists(socket);
        Files.deleteIfExists(directory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      socket = null;
      directory = null;
      StandInStaging.stop();
    }
  }

  private static void run(List<String> command) throws IOException {
    // Output to a file, never a pipe: the master that ssh -f leaves running, and its ProxyJump
    // child, may hold what they inherited open for as long as they live.
    Path log = Files.createTempFile("stand-in-ssh-", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(log.toFile())
              .redirectErrorStream(true)
              .start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("Did not end within 60 s: " + command);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            command + " exited " + process.exitValue() + ": " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted: " + command, e);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
