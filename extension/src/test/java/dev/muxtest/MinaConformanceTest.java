package dev.muxtest;

import org.junit.jupiter.api.Nested;

/** The multiplexing conformance suite on the MINA engine. */
@SshMultiplexing(engine = Engine.MINA)
class MinaConformanceTest extends MultiplexingConformance {

  // Declared here, not in the base class: one container per engine's class (see the base class).
  @SshServer static SshdContainer server = MultiplexingConformance.server();

  /**
   * With a server of its own, the nested class gets a master of its own, on the enclosing class's
   * engine.
   */
  @Nested
  class StopWhileASessionRuns extends StopWhileASessionRunsCases {
    @SshServer static SshdContainer server = new SshdContainer();
  }
}
