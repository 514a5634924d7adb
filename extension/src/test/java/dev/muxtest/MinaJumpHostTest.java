package dev.muxtest;

/** A target behind a bastion on the MINA engine. */
@SshMultiplexing(engine = Engine.MINA)
class MinaJumpHostTest extends JumpHostConformance {

  static SshTopology topology = JumpHostConformance.topology();

  @SshServer static SshdContainer server = topology.target();

  @Override
  SshTopology topologyOfThisClass() {
    return topology;
  }
}
