package dev.muxtest.internal.engine;

import dev.muxtest.SshdContainer;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A running {@link SshdContainer} as seen from the test JVM, through what Testcontainers reports.
 */
public final class ContainerEndpoint implements ServerEndpoint {

  private final SshdContainer container;
  private final String host;
  private final int port;
  private final Optional<ContainerEndpoint> jumpHost;

  /**
   * Wraps a running container; its address is taken now, so messages can name it after it stopped.
   */
  public ContainerEndpoint(SshdContainer container) {
    this.container = container;
    this.jumpHost = container.jumpHost().map(ContainerEndpoint::new);
    // Behind a jump host: its name and port as the jump host sees it.
    this.host = jumpHost.isPresent() ? container.networkHostName() : container.host();
    this.port = jumpHost.isPresent() ? SshdContainer.SSH_PORT : container.port();
  }

  @Override
  public Optional<ServerEndpoint> jumpHost() {
    return jumpHost.map(ServerEndpoint.class::cast);
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String user() {
    return container.user();
  }

  @Override
  public HostKeyPolicy hostKeyPolicy() {
    return new HostKeyPolicy.Pinned(container.hostKey());
  }

  @Override
  public void beforeConnect(PublicKey clientKey) {
    jumpHost.ifPresent(jump -> jump.beforeConnect(clientKey));
    container.authorizeKey(clientKey);
  }

  @Override
  public OptionalInt maxSessions() {
    return OptionalInt.of(container.maxSessions());
  }

  @Override
  public List<String> acceptedLogins(PublicKey clientKey) {
    return jumpHost.isPresent()
        ? jumpHost.get().acceptedLogins(clientKey)
        : container.acceptedPublicKeyLoginsSoFar(clientKey);
  }

  /**
   * A key the container authorised already (none of its commands per master); behind a jump host a
   * new one, which {@link #beforeConnect} authorises on both.
   */
  @Override
  public KeyPair freshIdentity() {
    return jumpHost.isPresent() ? KeyMaterial.generate() : container.newAuthorizedKeyPair();
  }

  @Override
  public boolean startedForTheTest() {
    return true;
  }
}
