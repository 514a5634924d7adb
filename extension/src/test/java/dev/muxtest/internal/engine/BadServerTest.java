package dev.muxtest.internal.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.ControlMaster;
import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.PublicKey;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Servers a master must not use: nobody listening, a login that is refused, and a second server
 * posing as the first (its host key does not match the pinned one). Each fails with a clear
 * message, on both engines, and leaves nothing behind.
 */
class BadServerTest {

  static SshdContainer genuine = new SshdContainer();
  static SshdContainer impostor = new SshdContainer();

  private static final Settings SETTINGS =
      Settings.from(
          key ->
              java.util.Optional.ofNullable(
                  java.util.Map.of(
                          Settings.CONNECT_TIMEOUT.name(),
                          "10s",
                          Settings.EXEC_TIMEOUT.name(),
                          "10s")
                      .get(key)));

  @BeforeAll
  static void startServers() {
    genuine.start();
    impostor.start();
  }

  @AfterAll
  static void stopServers() {
    impostor.stop();
    genuine.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void nobodyListening(Engine engine) throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      closedPort = socket.getLocalPort();
    }
    Endpoint nowhere = new Endpoint("127.0.0.1", closedPort, genuine.hostKey(), genuine, true);

    assertThatThrownBy(() -> connect(engine, nowhere))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("tester@127.0.0.1:" + closedPort)
        .hasMessageContaining("onnection refused");
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void loginRefused(Engine engine) {
    // The client's key is never authorized on the server.
    Endpoint unauthorized =
        new Endpoint(genuine.host(), genuine.port(), genuine.hostKey(), genuine, false);

    assertThatThrownBy(() -> connect(engine, unauthorized))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(unauthorized.describe())
        .hasMessageContaining(
            engine == Engine.MINA
                ? "No more authentication methods available"
                : "Permission denied (publickey)");
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void impostorWithAnotherHostKeyIsRefused(Engine engine) {
    // The impostor answers where the client expects the genuine server's pinned key.
    Endpoint manInTheMiddle =
        new Endpoint(impostor.host(), impostor.port(), genuine.hostKey(), impostor, true);

    assertThatThrownBy(() -> connect(engine, manInTheMiddle))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(manInTheMiddle.describe())
        .hasMessageContaining(
            engine == Engine.MINA ? "Server key did not validate" : "Host key verification failed");
  }

  private static void connect(Engine engine, Endpoint endpoint) {
    EngineMaster master =
        Masters.connect(
            endpoint,
            MasterOptions.defaults().withEngine(engine).withControlMaster(ControlMaster.YES),
            SETTINGS);
    master.close();
  }

  /** A server as the test describes it: possibly the wrong port, key or authorization. */
  private record Endpoint(
      String host, int port, PublicKey hostKey, SshdContainer container, boolean authorizes)
      implements ServerEndpoint {

    @Override
    public String user() {
      return SshdContainer.USER;
    }

    @Override
    public HostKeyPolicy hostKeyPolicy() {
      return new HostKeyPolicy.Pinned(hostKey);
    }

    @Override
    public void beforeConnect(PublicKey clientKey) {
      if (authorizes) {
        container.authorizeKey(clientKey);
      }
    }

    @Override
    public List<String> acceptedLogins(PublicKey clientKey) {
      return container.acceptedPublicKeyLogins(clientKey);
    }
  }
}
