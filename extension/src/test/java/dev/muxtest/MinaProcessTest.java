package dev.muxtest;

/** Long-running processes on the MINA engine. */
@SshMultiplexing(engine = Engine.MINA)
class MinaProcessTest extends RemoteProcessConformance {

  // Declared here, not in the base class: one container per engine's class.
  @SshServer static SshdContainer server = RemoteProcessConformance.server();

  @Override
  SshdContainer container() {
    return server;
  }

  @Override
  Engine engine() {
    return Engine.MINA;
  }
}
