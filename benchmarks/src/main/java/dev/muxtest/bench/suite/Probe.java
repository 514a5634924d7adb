package dev.muxtest.bench.suite;

/** One measurement that yields one sample, such as milliseconds until a command ended. */
@FunctionalInterface
interface Probe {

  /** Measures once; an exception fails the whole figure. */
  double sample() throws Exception;

  /** An action that cannot fail silently. */
  @FunctionalInterface
  interface Action {
    /** Performs it. */
    void run() throws Exception;
  }

  /** The wall-clock milliseconds of {@code action}. */
  static Probe millisOf(Action action) {
    return () -> {
      long start = System.nanoTime();
      action.run();
      return (System.nanoTime() - start) / 1e6;
    };
  }
}
