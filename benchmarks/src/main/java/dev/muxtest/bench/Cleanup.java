package dev.muxtest.bench;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything a run opened (containers, masters, clients, directories), closed newest first when the
 * run ends: normally, by failure, or by the JVM shutting down (watchdog, Ctrl-C).
 */
public final class Cleanup implements AutoCloseable {

  private final Deque<Entry> entries = new ArrayDeque<>();

  private record Entry(String name, AutoCloseable resource) {}

  /** A cleanup that also runs when the JVM shuts down before it is closed. */
  public static Cleanup withShutdownHook() {
    Cleanup cleanup = new Cleanup();
    Runtime.getRuntime().addShutdownHook(new Thread(cleanup::close, "bench-cleanup"));
    return cleanup;
  }

  /** Registers {@code resource} for closing and returns it. */
  public synchronized <T extends AutoCloseable> T register(String name, T resource) {
    entries.push(new Entry(name, resource));
    return resource;
  }

  /**
   * Closes {@code resource} now if it is registered (and forgets it), newest registration first.
   */
  public void closeNow(AutoCloseable resource) {
    Entry found = null;
    synchronized (this) {
      for (Entry e : entries) {
        if (e.resource() == resource) {
          found = e;
          break;
        }
      }
      if (found != null) {
        entries.remove(found);
      }
    }
    if (found != null) {
      closeQuietly(found);
    }
  }

  /** Closes everything registered, newest first; failures are printed, never thrown. Idempotent. */
  @Override
  public void close() {
    while (true) {
      Entry next;
      synchronized (this) {
        next = entries.poll();
      }
      if (next == null) {
        return;
      }
      closeQuietly(next);
    }
  }

  private static void closeQuietly(Entry entry) {
    try {
      entry.resource().close();
    } catch (Exception | LinkageError e) {
      System.err.println("[bench] closing " + entry.name() + " failed: " + e);
    }
  }
}
