package dev.muxtest;

import org.junit.jupiter.api.Nested;

/** The multiplexing conformance suite on the MINA engine against an embedded server. */
@SshMultiplexing(engine = Engine.MINA)
class EmbeddedMinaConformanceTest extends EmbeddedMultiplexingConformance {

  // Declared here, not in the base class: one server per engine's class (see the base class).
  @SshServer static EmbeddedSshServer server = new EmbeddedSshServer();

  @Override
  EmbeddedSshServer embeddedServer() {
    return server;
  }

  /**
   * With a server of its own, the nested class gets a master of its own, on the enclosing class's
   * engine.
   */
  @Nested
  class StopWhileASessionRuns extends StopWhileASessionRunsCases {
    @SshServer static EmbeddedSshServer server = new EmbeddedSshServer();
  }
}
