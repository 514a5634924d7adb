package dev.muxtest;

import org.junit.jupiter.api.BeforeAll;

/** REMOTE and DYNAMIC forwards on the MINA engine. */
@SshMultiplexing(engine = Engine.MINA)
@SshTunnel(
    name = "callback",
    type = ForwardType.REMOTE,
    host = "127.0.0.1",
    port = MinaForwardTypesTest.CALLBACK_PORT)
@SshTunnel(
    name = "fixed",
    type = ForwardType.REMOTE,
    host = "127.0.0.1",
    port = MinaForwardTypesTest.CALLBACK_PORT,
    bindPort = ForwardTypesConformance.REMOTE_BIND_PORT)
@SshTunnel(name = "socks", type = ForwardType.DYNAMIC)
class MinaForwardTypesTest extends ForwardTypesConformance {

  /**
   * The callback's port in the test JVM; another for each engine's class, so both may run at once.
   * Below Linux's ephemeral range (32768 and up), where any outgoing connection may take a port.
   */
  static final int CALLBACK_PORT = 31311;

  @SshServer static SshdContainer server = ForwardTypesConformance.server();

  @BeforeAll
  static void callback() throws Exception {
    startCallback(CALLBACK_PORT);
  }
}
