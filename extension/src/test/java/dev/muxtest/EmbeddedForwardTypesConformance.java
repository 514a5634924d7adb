package dev.muxtest;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * REMOTE and DYNAMIC forwards against an {@link EmbeddedSshServer}: the server's loopback is the
 * test machine's, so the suite's HTTP service ({@value #HTTP_PORT}) runs in the test JVM on {@code
 * 127.0.0.1}, and the REMOTE tunnel with a bind port listens on the test machine's port {@value
 * #REMOTE_BIND_PORT}.
 */
abstract class EmbeddedForwardTypesConformance extends ForwardTypesConformance {

  private static HttpServer http;

  /** The suite's HTTP service, where the server's {@code localhost} finds it: in the test JVM. */
  @BeforeAll
  static void startHttpService() throws Exception {
    http =
        HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), HTTP_PORT), 0);
    http.createContext(
        "/index.html",
        exchange -> {
          byte[] body = "hello-from-the-server\n".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Connection", "close");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    http.start();
  }

  @AfterAll
  static void stopHttpService() {
    if (http != null) {
      http.stop(0);
    }
  }

  /**
   * The test machine has no sshd of its own on port 22; the REMOTE tunnels' destination in this JVM
   * speaks first too.
   */
  @Override
  InetSocketAddress speaksFirst() {
    return InetSocketAddress.createUnresolved("127.0.0.1", callbackPort());
  }

  @Override
  String greeting() {
    return "pong";
  }

  /**
   * Does not apply: the embedded server is the test machine, so no name is known to the server and
   * unknown to the test machine; resolution on the server side cannot be told from resolution in
   * the test JVM. The DYNAMIC forward itself is covered by the suite's other cases.
   */
  @Test
  @Override
  @Disabled(
      "The embedded server is the test machine: no host name resolves on the server alone, so where"
          + " a SOCKS name is resolved cannot be shown")
  void dynamicTunnelResolvesNamesOnTheServerSide(SshMaster master, Proxy proxy, int port) {}
}
