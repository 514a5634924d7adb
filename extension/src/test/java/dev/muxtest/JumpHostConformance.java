package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.ContainerNetwork;
import dev.muxtest.assertj.MuxAssertions;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.Transferable;

/**
 * A target reachable only through a bastion (ProxyJump), run per engine by {@link MinaJumpHostTest}
 * and {@link OpenSshJumpHostTest}: the test JVM holds one TCP connection, to the bastion, and the
 * target sees one connection, from the bastion.
 */
@SshTunnel(name = "targetSsh", port = 22)
abstract class JumpHostConformance {

  static SshTopology topology() {
    return new SshTopology(
        new SshdContainer().withCopyToContainer(Transferable.of("bastion\n"), "/etc/muxtest-role"),
        new SshdContainer().withCopyToContainer(Transferable.of("target\n"), "/etc/muxtest-role"));
  }

  abstract SshTopology topologyOfThisClass();

  @AfterEach
  void oneConnectionToTheBastion(SshMaster master) {
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }

  @Test
  void commandsRunOnTheTargetWhichPublishesNoPort(SshMaster master) {
    assertThat(master.exec("cat /etc/muxtest-role").stdout()).isEqualTo("target\n");
    SshdContainer target = topologyOfThisClass().target();
    assertThat(target.jumpHost()).containsSame(topologyOfThisClass().bastion());
    assertThat(target.getExposedPorts()).isEmpty();
    assertThat(inspect(target).getNetworkSettings().getPorts().getBindings()).isEmpty();
    assertThat(inspect(target).getNetworkSettings().getNetworks()).hasSize(1);
  }

  @Test
  void aLocalTunnelLeadsToTheTargetsOwnLoopback(
      @ForwardedPort("targetSsh") InetSocketAddress address) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(address, 10_000);
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      assertThat(new String(in.readNBytes(8), StandardCharsets.US_ASCII)).startsWith("SSH-2.0-");
    }
  }

  @Test
  void theTargetSawOneLoginWithTheMastersKeyComingFromTheBastion(SshMaster master) {
    master.exec("true");
    String fingerprint = master.connectionReport().keyFingerprint();
    String bastionIp = internalAddressOfTheBastion();

    List<String> onTarget = topologyOfThisClass().target().acceptedPublicKeyLogins(fingerprint);
    List<String> onBastion = topologyOfThisClass().bastion().acceptedPublicKeyLogins(fingerprint);

    assertThat(onTarget).hasSize(1);
    assertThat(onTarget.get(0)).contains(" from " + bastionIp + " port ");
    assertThat(onBastion).hasSize(1);
    assertThat(onBastion.get(0)).doesNotContain(" from " + bastionIp + " ");
    assertThat(master.connectionReport().serverEvidence()).isEqualTo(onBastion);
  }

  private String internalAddressOfTheBastion() {
    String internal = topologyOfThisClass().internalNetwork().getId();
    Map<String, ContainerNetwork> networks =
        inspect(topologyOfThisClass().bastion()).getNetworkSettings().getNetworks();
    return networks.values().stream()
        .filter(n -> internal.equals(n.getNetworkID()))
        .map(ContainerNetwork::getIpAddress)
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("the bastion is not on the internal network: " + networks));
  }

  private static com.github.dockerjava.api.command.InspectContainerResponse inspect(
      SshdContainer container) {
    return DockerClientFactory.instance()
        .client()
        .inspectContainerCmd(container.getContainerId())
        .exec();
  }
}
