package dev.muxtest.internal.junit;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a class or the run made and must release: each resource is pushed the moment it exists, so
 * that a setup failing half way still releases what it made; closing releases them newest first.
 */
final class Resources implements AutoCloseable {

  private final String owner;
  private final Deque<AutoCloseable> stack = new ArrayDeque<>();

  /** An empty stack of what {@code owner} (named in failures) holds. */
  Resources(String owner) {
    this.owner = owner;
  }

  /** Releases {@code resource} before everything pushed earlier. */
  synchronized void push(AutoCloseable resource) {
    stack.push(resource);
  }

  /** Closes every resource, newest first, even if one fails; the first failure is thrown. */
  @Override
  public void close() {
    RuntimeException failure = null;
    while (true) {
      AutoCloseable next;
      synchronized (this) {
        next = stack.poll();
      }
      if (next == null) {
        break;
      }
      try {
        next.close();
      } catch (Exception e) {
        RuntimeException unchecked =
            e instanceof RuntimeException r
                ? r
                : new IllegalStateException(
                    "muxtest: closing " + next + " of " + owner + " failed", e);
        if (failure == null) {
          failure = unchecked;
        } else {
          failure.addSuppressed(unchecked);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
