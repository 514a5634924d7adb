package dev.muxtest.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.ControlMaster;
import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshOperationException;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Embedded servers a master must not use, on both engines: one that never authorised the master's
 * key, and another embedded server posing as the first (its host key is not the pinned one).
 */
class EmbeddedBadServerTest {

  static final EmbeddedSshServer genuine = new EmbeddedSshServer();
  static final EmbeddedSshServer impostor = new EmbeddedSshServer();

  private static final Settings SETTINGS =
      Settings.from(
          key ->
              Optional.ofNullable(
                  Map.of(
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
  void aKeyTheServerNeverAuthorisedIsRefused(Engine engine) {
    Endpoint unauthorized = new Endpoint(genuine, genuine.hostKey(), false);

    assertThatThrownBy(() -> connect(engine, unauthorized))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(unauthorized.describe())
        .hasMessageContaining(
            engine == Engine.MINA
                ? "No more authentication methods available"
                : "Permission denied (publickey)");
    assertThat(genuine.recentLog()).anyMatch(line -> line.startsWith("Refused publickey for "));
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void anotherServerWithAnotherHostKeyIsRefused(Engine engine) {
    // The impostor answers where the client expects the genuine server's pinned key.
    Endpoint manInTheMiddle = new Endpoint(impostor, genuine.hostKey(), true);

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

  /** An embedded server as the test describes it: possibly the wrong key or authorisation. */
  private record Endpoint(EmbeddedSshServer server, PublicKey hostKey, boolean authorizes)
      implements ServerEndpoint {

    @Override
    public String host() {
      return server.host();
    }

    @Override
    public int port() {
      return server.port();
    }

    @Override
    public String user() {
      return server.user();
    }

    @Override
    public HostKeyPolicy hostKeyPolicy() {
      return new HostKeyPolicy.Pinned(hostKey);
    }

    @Override
    public void beforeConnect(PublicKey clientKey) {
      if (authorizes) {
        server.authorizeKey(clientKey);
      }
    }

    @Override
    public List<String> acceptedLogins(PublicKey clientKey) {
      return server.acceptedPublicKeyLogins(clientKey);
    }
  }
}
