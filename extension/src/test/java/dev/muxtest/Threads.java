package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Waits, within a bound, for threads of ours to end. */
final class Threads {

  private Threads() {}

  /**
   * Fails unless every live thread whose name starts with {@code prefix} ends within {@code bound}.
   */
  static void awaitNoneNamed(String prefix, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    List<Thread> alive = named(prefix);
    for (Thread thread : alive) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      try {
        thread.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertThat(named(prefix).stream().map(Thread::getName).collect(Collectors.toList()))
        .as("threads named %s* still alive after %s", prefix, bound)
        .isEmpty();
  }

  private static List<Thread> named(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .collect(Collectors.toList());
  }
}
