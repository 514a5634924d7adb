package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.Poll;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

  /**
   * A SOCKS client that connects and says nothing holds a thread of the forward in a blocking read:
   * closing the forward cuts it at once, and no thread of the forward is left.
   */
  @Test
  void closingADynamicForwardCutsAClientThatNeverSentItsRequest(SshMaster master) throws Exception {
    Forward forward = master.forwardDynamic();
    int port = forward.localPort();
    try (Socket silent = new Socket()) {
      silent.connect(forward.localAddress(), TIMEOUT_MILLIS);
      silent.setSoTimeout(TIMEOUT_MILLIS);
      assertThat(
              Poll.until(
                  Duration.ofSeconds(10), Duration.ofMillis(10), () -> forwardThreads(port) > 1))
          .as("a thread serves the silent client")
          .isTrue();

      forward.close();

      assertThat(endOfStreamOrReset(silent)).as("the silent client's connection ended").isTrue();
    }
    assertThat(forwardThreads(port)).as("threads of the forward left").isZero();
  }

  private static long forwardThreads(int port) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("muxtest-forward-" + port + "-"))
        .count();
  }

  private static boolean endOfStreamOrReset(Socket socket) {
    try {
      return socket.getInputStream().read() == -1;
    } catch (java.io.IOException reset) {
      return !(reset instanceof java.net.SocketTimeoutException);
    }
  }
}
