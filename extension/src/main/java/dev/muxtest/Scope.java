package dev.muxtest;

/** How long a master lives, and which classes share it. */
public enum Scope {

  /**
   * The configured default: the configuration parameter {@code muxtest.scope}, else {@link #CLASS}.
   */
  DEFAULT,

  /** One master per test class, closed after the class. */
  CLASS,

  /**
   * One master for the whole test run, shared by every class of this scope that names the same
   * server (or none, and so shares the default server too); closed when the run ends. The proof of
   * a single TCP connection then covers the run. The classes' tunnels are the run's too: each
   * declaration (name, type, host, port, bind port) is opened once and keeps its port until the run
   * ends.
   */
  SUITE
}
