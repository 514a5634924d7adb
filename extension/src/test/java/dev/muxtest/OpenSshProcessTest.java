package dev.muxtest;

/** Long-running processes on the OpenSSH engine. */
@SshMultiplexing(engine = Engine.OPENSSH)
class OpenSshProcessTest extends RemoteProcessConformance {

  // Declared here, not in the base class: one container per engine's class.
  @SshServer static SshdContainer server = RemoteProcessConformance.server();

  @Override
  SshdContainer container() {
    return server;
  }

  @Override
  Engine engine() {
    return Engine.OPENSSH;
  }
}
