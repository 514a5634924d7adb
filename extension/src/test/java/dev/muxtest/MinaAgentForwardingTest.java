package dev.muxtest;

import dev.muxtest.internal.engine.KeyMaterial;
import java.security.KeyPair;

/** Agent forwarding on the MINA engine. */
@SshMultiplexing(engine = Engine.MINA, forwardAgent = true)
class MinaAgentForwardingTest extends AgentForwardingConformance {

  /** Made in the JVM, given only to the master's agent: never written to any disk. */
  static final KeyPair KEY = KeyMaterial.generate();

  static final SshdContainer FURTHER = AgentForwardingConformance.furtherHost(KEY);
  static final SshTopology topology = AgentForwardingConformance.topology(FURTHER);

  @SshServer static SshdContainer server = topology.target();

  @Override
  KeyPair agentKey() {
    return KEY;
  }

  @Override
  SshdContainer further() {
    return FURTHER;
  }
}
