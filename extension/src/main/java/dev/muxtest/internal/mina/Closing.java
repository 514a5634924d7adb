package dev.muxtest.internal.mina;

/** Closing on the way out, where a failure to close leaves nothing to do. */
final class Closing {

  private Closing() {}

  /** Closes {@code closeable}, ignoring a failure. */
  static void quietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing on the way out: nothing left to do with the failure
    }
  }
}
