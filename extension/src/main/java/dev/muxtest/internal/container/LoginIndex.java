package dev.muxtest.internal.container;

import dev.muxtest.internal.engine.SshdLogLine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.testcontainers.containers.output.OutputFrame;

/**
 * An sshd container's output as it streams in: its last lines, readable even after the container is
 * gone, and its public-key logins of one user by key fingerprint, so that the proof at the end of
 * every class reads them here rather than the whole log again.
 */
public final class LoginIndex {

  private static final int RECENT_LOG_LINES = 50;

  private final String user;
  private final Deque<String> recentLog = new ArrayDeque<>();
  private final Map<String, List<String>> streamedLogins = new HashMap<>();

  /** Whether the output stream of the running container is followed (and has not ended). */
  private boolean followingLog; // guarded by streamedLogins

  /** Indexes the logins of {@code user}. */
  public LoginIndex(String user) {
    this.user = user;
  }

  /** Takes one frame of the container's output (a log consumer). */
  public void accept(OutputFrame frame) {
    if (frame.getType() == OutputFrame.OutputType.END) {
      synchronized (streamedLogins) {
        followingLog = false; // the container stopped, or its stream broke: read the log itself
      }
      return;
    }
    String line = frame.getUtf8StringWithoutLineEnding();
    if (line.isBlank()) {
      return;
    }
    String stripped = line.strip();
    synchronized (streamedLogins) {
      followingLog = true;
      SshdLogLine.publicKeyLogin(stripped, user)
          .ifPresent(
              key -> streamedLogins.computeIfAbsent(key, k -> new ArrayList<>()).add(stripped));
    }
    synchronized (recentLog) {
      recentLog.addLast(line);
      while (recentLog.size() > RECENT_LOG_LINES) {
        recentLog.removeFirst();
      }
    }
  }

  /** Forgets the logins: a new container has a new log. */
  public void reset() {
    synchronized (streamedLogins) {
      streamedLogins.clear();
      followingLog = false;
    }
  }

  /** The last lines the container printed. */
  public List<String> recentLog() {
    synchronized (recentLog) {
      return List.copyOf(recentLog);
    }
  }

  /**
   * The logins with the key of {@code fingerprint} the stream delivered so far. Should the stream
   * end while the container runs on, {@code wholeLog} is read; once the container is gone, the
   * lines the stream delivered are all there were.
   */
  public List<String> soFar(
      String fingerprint, BooleanSupplier running, Supplier<String> wholeLog) {
    synchronized (streamedLogins) {
      if (followingLog) {
        return streamed(fingerprint);
      }
    }
    if (running.getAsBoolean()) {
      return SshdLogLine.publicKeyLogins(wholeLog.get(), user, fingerprint);
    }
    synchronized (streamedLogins) {
      return streamed(fingerprint);
    }
  }

  private List<String> streamed(String fingerprint) {
    return List.copyOf(streamedLogins.getOrDefault(fingerprint, List.of()));
  }
}
