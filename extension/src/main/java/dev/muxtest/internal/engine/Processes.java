package dev.muxtest.internal.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Whether processes that are not our children still run: a zombie has ended, whatever Java says.
 */
public final class Processes {

  private static final Duration POLL = Duration.ofMillis(20);

  private Processes() {}

  /** Alive and not a zombie (on Linux, state Z in {@code /proc/<pid>/stat}). */
  public static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
    try {
      String text = Files.readString(stat, StandardCharsets.US_ASCII);
      // "pid (comm) S ...": the state follows the last ')'.
      int end = text.lastIndexOf(')');
      return end < 0 || end + 2 >= text.length() || text.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return !Files.isDirectory(Path.of("/proc")) && process.isAlive(); // no /proc: trust the JDK
    }
  }

  /** Waits, polling within {@code bound}, until {@code process} has ended; whether it did. */
  public static boolean awaitEnd(ProcessHandle process, Duration bound) {
    return Poll.until(bound, POLL, () -> !running(process));
  }
}
