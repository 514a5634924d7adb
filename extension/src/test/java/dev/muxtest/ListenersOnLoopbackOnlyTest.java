package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A forward's listener and a SOCKS proxy are reachable on the test machine's loopback only, on both
 * engines: a connection to the same port on another address of the machine is refused ({@code
 * LifecycleTest#forwardsListenOnLoopbackOnly} checks it for tunnels of a class on MINA).
 */
class ListenersOnLoopbackOnlyTest {

  static final SshdContainer server = new SshdContainer();

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void forwardAndSocksListenersRefuseOtherAddressesOfTheMachine(Engine engine) throws IOException {
    Optional<InetAddress> other = nonLoopbackAddress();
    Assumptions.assumeTrue(other.isPresent(), "this machine has no non-loopback address");

    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      Forward local = master.forwardLocal("localhost", SshdContainer.SSH_PORT);
      Forward socks = master.forwardDynamic();

      for (Forward forward : List.of(local, socks)) {
        int port = forward.localPort();
        try (Socket onLoopback = new Socket()) {
          onLoopback.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
          assertThat(onLoopback.isConnected()).as("%s on loopback", forward.type()).isTrue();
        }
        assertThatThrownBy(
                () -> {
                  try (Socket offLoopback = new Socket()) {
                    offLoopback.connect(new InetSocketAddress(other.get(), port), 10_000);
                  }
                })
            .as("%s listener on %s:%d", forward.type(), other.get().getHostAddress(), port)
            .isInstanceOf(ConnectException.class);
      }
    }
  }

  /** An address of this machine's own interfaces other than loopback; IPv4 first. */
  private static Optional<InetAddress> nonLoopbackAddress() {
    try {
      return NetworkInterface.networkInterfaces()
          .filter(ListenersOnLoopbackOnlyTest::isUp)
          .flatMap(NetworkInterface::inetAddresses)
          .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress())
          .min(Comparator.comparing((InetAddress a) -> !(a instanceof Inet4Address)));
    } catch (SocketException e) {
      throw new IllegalStateException("Cannot list this machine's network interfaces", e);
    }
  }

  private static boolean isUp(NetworkInterface networkInterface) {
    try {
      return networkInterface.isUp() && !networkInterface.isLoopback();
    } catch (SocketException e) {
      return false;
    }
  }
}
