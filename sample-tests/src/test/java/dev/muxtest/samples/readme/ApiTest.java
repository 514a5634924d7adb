package dev.muxtest.samples.readme;

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

// README:start
@SshTunnel(name = "api", port = 8080) // 127.0.0.1:<free port> -> localhost:8080 on the server
class ApiTest {

  @SshServer // a real OpenSSH sshd in a container, an HTTP API on its own loopback only
  static SshdContainer server =
      new SshdContainer()
          .withCopyToContainer(Transferable.of("up"), "/srv/www/health")
          .withBackgroundCommand("exec busybox httpd -f -p 127.0.0.1:8080 -h /srv/www");

  @Test
  void health(@ForwardedPort("api") int port, SshMaster master) throws Exception {
    var response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(master.exec("hostname").exitCode()).isZero(); // same connection
  }
}
// README:end
