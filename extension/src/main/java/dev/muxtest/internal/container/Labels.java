package dev.muxtest.internal.container;

import dev.muxtest.SshTopology;

/** Docker labels on what muxtest creates, so that a leak can be traced to its owner and swept. */
public final class Labels {

  /** On every sshd container muxtest builds or starts. */
  public static final String SSHD = "dev.muxtest.sshd";

  /** On every network muxtest creates. */
  public static final String NETWORK = SshTopology.LABEL;

  /** The test class a server container was started for by the extension. */
  public static final String TEST_CLASS = "dev.muxtest.testClass";

  /** On the default server that SUITE-scope classes share. */
  public static final String SUITE = "dev.muxtest.scope";

  /** On the default server that the classes of a run share (value {@code run}). */
  public static final String RUN_DEFAULT = "dev.muxtest.defaultServer";

  private Labels() {}
}
