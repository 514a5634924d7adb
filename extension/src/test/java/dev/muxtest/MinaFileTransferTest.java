package dev.muxtest;

/** Files and binary output on the MINA engine. */
@SshMultiplexing(engine = Engine.MINA)
class MinaFileTransferTest extends FileTransferConformance {

  // Declared here, not in the base class: one container per engine's class.
  @SshServer static SshdContainer server = new SshdContainer();
}
