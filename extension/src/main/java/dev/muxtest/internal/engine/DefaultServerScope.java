package dev.muxtest.internal.engine;

/** How long the default server container lives. */
public enum DefaultServerScope {
  /** One container for the run, started on first use and stopped when the run ends (default). */
  RUN,
  /** A container of its own for each class, started and stopped with it. */
  CLASS
}
