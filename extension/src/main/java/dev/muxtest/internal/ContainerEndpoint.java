package dev.muxtest.internal;

import dev.muxtest.SshdContainer;
import java.security.PublicKey;
import java.util.List;
import java.util.OptionalInt;

/** A running {@link SshdContainer} as seen from the test JVM, through what Testcontainers reports. */
public final class ContainerEndpoint implements ServerEndpoint {

  private final SshdContainer container;
  private final String host;
  private final int port;

  /** Wraps a running container; its address is taken now, so messages can name it after it stopped. */
  public ContainerEndpoint(SshdContainer container) {
    this.container = container;
    this.host = container.getSshHost();
    this.port = container.getSshPort();
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
    return container.getUsername();
  }

  @Override
  public PublicKey hostKey() {
    return container.getHostKey();
  }

  @Override
  public void authorize(PublicKey clientKey) {
    container.authorizeKey(clientKey);
  }

  @Override
  public OptionalInt maxSessions() {
    return OptionalInt.of(container.getMaxSessions());
  }

  @Override
  public List<String> acceptedLogins(PublicKey clientKey) {
    return container.acceptedPublicKeyLogins(clientKey);
  }
}
