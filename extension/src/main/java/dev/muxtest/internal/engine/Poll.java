package dev.muxtest.internal.engine;

import dev.muxtest.SshOperationException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The one bounded wait of the engines: a condition tried again after a pause until a deadline. */
public final class Poll {

  private Poll() {}

  /**
   * Tries {@code condition} until it holds or {@code bound} has passed, pausing {@code pause}
   * between tries; whether it held. The condition is tried at least once.
   *
   * @throws SshOperationException if the waiting thread is interrupted (its flag is set again)
   */
  public static boolean until(Duration bound, Duration pause, BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      sleep(pause);
    }
    return true;
  }

  /**
   * Pauses between two tries of a bounded wait.
   *
   * @throws SshOperationException if interrupted (the thread's flag is set again)
   */
  public static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshOperationException("Interrupted while waiting", e);
    }
  }
}
