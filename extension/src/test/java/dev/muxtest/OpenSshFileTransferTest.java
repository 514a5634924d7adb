package dev.muxtest;

/** Files and binary output on the OpenSSH engine. */
@SshMultiplexing(engine = Engine.OPENSSH)
class OpenSshFileTransferTest extends FileTransferConformance {

  // Declared here, not in the base class: one container per engine's class.
  @SshServer static SshdContainer server = new SshdContainer();
}
