package dev.muxtest;

/** A target behind a bastion on the OPENSSH engine. */
@SshMultiplexing(engine = Engine.OPENSSH)
class OpenSshJumpHostTest extends JumpHostConformance {

  static SshTopology topology = JumpHostConformance.topology();

  @SshServer static SshdContainer server = topology.target();

  @Override
  SshTopology topologyOfThisClass() {
    return topology;
  }
}
