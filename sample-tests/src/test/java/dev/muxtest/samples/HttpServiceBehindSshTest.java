package dev.muxtest.samples;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshServer;
import dev.muxtest.SshTunnel;
import dev.muxtest.SshdContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.images.builder.Transferable;

/**
 * An HTTP API that listens only on the SSH server's loopback interface, reached from the test
 * through a tunnel with the JDK's own HTTP client.
 */
@SshTunnel(name = "api", port = 8080)
class HttpServiceBehindSshTest {

  @SshServer
  static SshdContainer server =
      new SshdContainer()
          .withCopyToContainer(Transferable.of("{\"status\":\"up\"}"), "/srv/www/health.json")
          .withBackgroundCommand("exec busybox httpd -f -p 127.0.0.1:8080 -h /srv/www");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void fetchesThroughTheTunnel(@ForwardedPort("api") int port) throws Exception {
    HttpResponse<String> response = get(port, "/health.json");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"status\":\"up\"}");
  }

  @Test
  void answersNotFoundLikeAnyHttpServer(@ForwardedPort("api") int port) throws Exception {
    assertThat(get(port, "/missing").statusCode()).isEqualTo(404);
  }

  @Test
  void theServiceIsOnlyOnTheServersLoopback(SshMaster master) {
    String listening = master.exec("busybox netstat -ltn").stdout();

    assertThat(listening).contains("127.0.0.1:8080").doesNotContain("0.0.0.0:8080");
  }

  @Test
  void manyRequestsStillOneSshConnection(@ForwardedPort("api") int port, SshMaster master)
      throws Exception {
    for (int i = 0; i < 20; i++) {
      // A fresh client each time: a new TCP connection to the forward, a new channel on the master.
      HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response =
          fresh.send(request(port, "/health.json"), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    }

    assertThat(master).usedSingleTcpConnection();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(request(port, path), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .build();
  }
}
