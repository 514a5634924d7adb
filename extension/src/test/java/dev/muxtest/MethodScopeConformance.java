package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.assertj.MuxAssertions;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Forwards declared on a test method, or opened in one, live for that method only. Run per engine
 * by {@link MinaMethodScopeTest} and {@link OpenSshMethodScopeTest}; the methods run in order so
 * that the later ones can check what the earlier ones left behind.
 */
@SshTunnel(name = "classwide", port = 22)
@TestMethodOrder(OrderAnnotation.class)
// The state below is static in this class, so shared by every subclass: two of them at once would
// clear each other's lists.
@ResourceLock("dev.muxtest.MethodScopeConformance.state")
abstract class MethodScopeConformance {

  /** The class's master as seen outside any test method (not a method's view). */
  private static SshMaster classMaster;

  private static final List<InetSocketAddress> localEnds = new CopyOnWriteArrayList<>();
  private static final List<Integer> serverPorts = new CopyOnWriteArrayList<>();
  private static final List<Forward> forwards = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void reset(SshMaster master) {
    classMaster = master;
    localEnds.clear();
    serverPorts.clear();
    forwards.clear();
  }

  @AfterEach
  void oneConnection(SshMaster master) {
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }

  @Test
  @Order(1)
  @SshTunnel(name = "mine", port = 22)
  @SshTunnel(name = "socks", type = ForwardType.DYNAMIC)
  void methodTunnelsAndRunTimeForwardsWork(
      SshMaster master,
      @ForwardedPort("mine") InetSocketAddress mine,
      @ForwardedPort("socks") InetSocketAddress socks,
      @ForwardedPort("classwide") int classwide)
      throws Exception {
    assertThat(banner(mine)).startsWith("SSH-2.0-");
    Forward local = master.forwardLocal("localhost", 22);
    Forward dynamic = master.forwardDynamic();
    Forward remote = master.forwardRemote(0, "127.0.0.1", classwide);
    Forward closedByTheTest = master.forwardLocal("localhost", 22);
    assertThat(banner(local.localAddress())).startsWith("SSH-2.0-");
    assertThat(
            master
                .exec("exec 3<>/dev/tcp/127.0.0.1/" + remote.remotePort() + " && head -c 7 <&3")
                .stdout())
        .isEqualTo("SSH-2.0");
    closedByTheTest.close(); // closing it again after the method must be harmless

    localEnds.addAll(List.of(mine, socks, local.localAddress(), dynamic.localAddress()));
    serverPorts.add(remote.remotePort());
    forwards.addAll(List.of(local, dynamic, remote, closedByTheTest));
  }

  @Test
  @Order(2)
  void theyAreClosedAfterThatMethodWhileTheClassTunnelStays(
      @ForwardedPort("classwide") InetSocketAddress classwide) throws Exception {
    assertThat(localEnds).as("listeners of the first method").hasSize(4);
    assertThat(forwards)
        .allSatisfy(forward -> assertThat(forward.isOpen()).as("%s open", forward).isFalse());
    for (InetSocketAddress end : localEnds) {
      assertThatThrownBy(() -> banner(end))
          .as("a connection to %s", end)
          .isInstanceOf(ConnectException.class);
    }
    assertThat(classMaster.exec("exec 3<>/dev/tcp/127.0.0.1/" + serverPorts.get(0)).exitCode())
        .as("a connection to the closed remote forward's server port")
        .isNotZero();

    assertThat(banner(classwide)).startsWith("SSH-2.0-");
    assertThat(classMaster.check()).isTrue();
  }

  private static String banner(InetSocketAddress address) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(address, 10_000);
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(8), StandardCharsets.US_ASCII);
    }
  }
}
