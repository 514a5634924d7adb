package dev.muxtest;

import org.junit.jupiter.api.BeforeAll;

/** REMOTE and DYNAMIC forwards on the OPENSSH engine against an embedded server. */
@SshMultiplexing(engine = Engine.OPENSSH)
@SshTunnel(
    name = "callback",
    type = ForwardType.REMOTE,
    host = "127.0.0.1",
    port = EmbeddedOpenSshForwardTypesTest.CALLBACK_PORT)
@SshTunnel(
    name = "fixed",
    type = ForwardType.REMOTE,
    host = "127.0.0.1",
    port = EmbeddedOpenSshForwardTypesTest.CALLBACK_PORT,
    bindPort = ForwardTypesConformance.REMOTE_BIND_PORT)
@SshTunnel(name = "socks", type = ForwardType.DYNAMIC)
class EmbeddedOpenSshForwardTypesTest extends EmbeddedForwardTypesConformance {

  /** The callback's port in the test JVM; another for each class of the suite. */
  static final int CALLBACK_PORT = 31322;

  @SshServer static EmbeddedSshServer server = new EmbeddedSshServer();

  @BeforeAll
  static void callback() throws Exception {
    startCallback(CALLBACK_PORT);
  }
}
