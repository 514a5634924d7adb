package dev.muxtest.internal.engine;

import dev.muxtest.EmbeddedSshServer;
import java.security.PublicKey;
import java.util.List;
import java.util.OptionalInt;

/**
 * A running {@link EmbeddedSshServer}: its pinned host key, its MaxSessions, and its own record of
 * logins as the server-side evidence.
 */
public final class EmbeddedEndpoint implements ServerEndpoint {

  private final EmbeddedSshServer server;
  private final int port;

  /**
   * Wraps a running server; its port is taken now, so messages can name it after it stopped.
   *
   * @throws IllegalStateException if it is not running
   */
  public EmbeddedEndpoint(EmbeddedSshServer server) {
    this.server = server;
    this.port = server.port();
  }

  @Override
  public String host() {
    return server.host();
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String user() {
    return server.user();
  }

  @Override
  public HostKeyPolicy hostKeyPolicy() {
    return new HostKeyPolicy.Pinned(server.hostKey());
  }

  @Override
  public void beforeConnect(PublicKey clientKey) {
    server.authorizeKey(clientKey);
  }

  @Override
  public List<String> acceptedLogins(PublicKey clientKey) {
    return server.acceptedPublicKeyLogins(clientKey);
  }

  @Override
  public OptionalInt maxSessions() {
    return OptionalInt.of(server.maxSessions());
  }

  @Override
  public boolean startedForTheTest() {
    return true;
  }

  /** Apache MINA SSHD's server does not implement UNIX-socket forwarding. */
  @Override
  public boolean forwardsUnixSockets() {
    return false;
  }
}
