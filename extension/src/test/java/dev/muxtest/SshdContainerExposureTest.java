package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * The sshd container's port is published on 127.0.0.1 only when the Docker engine is on this
 * machine (here it is, over its UNIX socket or, on CI, tcp://127.0.0.1:2375): Docker records the
 * binding on loopback, sshd answers there on the mapped port, and another address of this machine
 * refuses the connection.
 */
class SshdContainerExposureTest {

  static final SshdContainer server = new SshdContainer();

  @BeforeAll
  static void start() {
    // About an engine on this machine; a remote one keeps Testcontainers' default.
    assumeThat(DockerClientFactory.instance().getTransportConfig().getDockerHost().toString())
        .as("a Docker engine on this machine")
        .matches("(unix|npipe)://.*|tcp://(127\\.0\\.0\\.1|localhost)(:\\d+)?/?");
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @Test
  void dockerRecordsTheSshPortBoundToLoopbackOnly() {
    ExposedPort ssh = ExposedPort.tcp(SshdContainer.SSH_PORT);

    Ports.Binding[] requested =
        server.getContainerInfo().getHostConfig().getPortBindings().getBindings().get(ssh);
    Ports.Binding[] published =
        server.getContainerInfo().getNetworkSettings().getPorts().getBindings().get(ssh);

    assertThat(requested).extracting(Ports.Binding::getHostIp).containsOnly("127.0.0.1");
    assertThat(published).extracting(Ports.Binding::getHostIp).containsOnly("127.0.0.1");
    assertThat(published)
        .extracting(Ports.Binding::getHostPortSpec)
        .containsOnly(String.valueOf(server.port()));
  }

  @Test
  void sshdAnswersOnLoopbackAtTheMappedPort() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      assertThat(new String(in.readNBytes(8), StandardCharsets.US_ASCII)).isEqualTo("SSH-2.0-");
    }
  }

  @Test
  void anotherAddressOfThisMachineRefusesTheSshPort() throws Exception {
    Optional<InetAddress> other = ownNonLoopbackAddress();
    assumeThat(other).as("a non-loopback IPv4 address on this machine").isPresent();

    assertThatThrownBy(
            () -> {
              try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(other.get(), server.port()), 5_000);
              }
            })
        .as("a connection to %s:%d", other.get().getHostAddress(), server.port())
        .isInstanceOf(ConnectException.class);
  }

  private static Optional<InetAddress> ownNonLoopbackAddress() throws Exception {
    List<InetAddress> addresses =
        NetworkInterface.networkInterfaces()
            .filter(i -> !i.getName().startsWith("lo"))
            .flatMap(NetworkInterface::inetAddresses)
            .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
            .toList();
    return addresses.stream().findFirst();
  }
}
