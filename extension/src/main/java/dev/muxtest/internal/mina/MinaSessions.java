package dev.muxtest.internal.mina;

import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.PublicKey;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Opens the one authenticated session of a MINA master: straight to the server, or through its jump
 * host (the TCP connection to the jump host, and over a forward through it the session with the
 * server).
 */
final class MinaSessions {

  private static final String LOOPBACK = "127.0.0.1";

  private MinaSessions() {}

  /**
   * One TCP connection, authenticated with {@code identity}.
   *
   * @throws SshOperationException naming the server and the cause
   */
  static ClientSession open(
      SshClient client,
      ServerEndpoint server,
      KeyPair identity,
      Settings settings,
      HostKeyPins pins) {
    if (server.jumpHost().isEmpty()) {
      return authenticated(
          client, server.user(), server.host(), server.port(), server, identity, settings);
    }
    ServerEndpoint jump = server.jumpHost().get();
    pins.pin(isLoopback(jump.host()), jump.port(), pinnedKey(jump));
    ClientSession first = open(client, jump, identity, settings, pins);
    try {
      // MINA's own forwarder: SSH traffic of one session, needing none of the streaming forward's
      // care.
      ExplicitPortForwardingTracker hop =
          first.createLocalPortForwardingTracker(
              new SshdSocketAddress(LOOPBACK, 0),
              new SshdSocketAddress(server.host(), server.port()));
      pins.pinHop(hop.getBoundAddress().getPort(), pinnedKey(server));
      ClientSession session =
          authenticated(
              client,
              server.user(),
              LOOPBACK,
              hop.getBoundAddress().getPort(),
              server,
              identity,
              settings);
      // The first hop lives as long as the session through it.
      session.addCloseFutureListener(closed -> first.close(true));
      return session;
    } catch (IOException | RuntimeException e) {
      first.close(true);
      throw e instanceof SshOperationException s
          ? s
          : new SshOperationException(
              "Cannot connect the SSH master to " + server.describe() + ": " + e.getMessage(), e);
    }
  }

  private static PublicKey pinnedKey(ServerEndpoint server) {
    return server
        .hostKeyPolicy()
        .apply(
            key -> key,
            file -> {
              throw new SshOperationException(
                  "A server reached through a jump host needs a pinned host key, but "
                      + server.describe()
                      + " is checked against "
                      + file);
            });
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new SshOperationException(
          "Cannot resolve the jump host " + host + ": " + e.getMessage(), e);
    }
  }

  private static ClientSession authenticated(
      SshClient client,
      String user,
      String host,
      int port,
      ServerEndpoint server,
      KeyPair identity,
      Settings settings) {
    ClientSession session = null;
    try {
      session = client.connect(user, host, port).verify(settings.connectTimeout()).getSession();
      session.addPublicKeyIdentity(identity);
      session.auth().verify(settings.connectTimeout());
      return session;
    } catch (IOException | RuntimeException e) {
      if (session != null) {
        session.close(true);
      }
      throw new SshOperationException(
          "Cannot connect the SSH master to " + server.describe() + ": " + e.getMessage(), e);
    }
  }
}
