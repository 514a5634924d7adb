package dev.muxtest.internal.mina;

import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Opens the one authenticated session of a MINA master: straight to the server, or through its
 * chain of jump hosts, as OpenSSH's ProxyJump does: the one TCP connection goes to the first hop,
 * and each further hop's session rides a forward through the previous hop to that hop's name and
 * port, resolved by the previous hop.
 *
 * <p>MINA's own ProxyJump ({@code SshClient.connect(HostConfigEntry)}) chains hops the same way (a
 * local port forward through each hop, on loopback), but takes identities as files and checks every
 * hop's key with the one client-wide verifier, which sees only the loopback address of the forward:
 * it could neither log in with a key pair made for the master nor check a hop's key against that
 * hop's own known_hosts under its own name. This class does the same steps with both, and closes
 * each forward's listener as soon as the hop's connection through it is made. (MINA 2.20 has no
 * session over a channel without a local listener.)
 */
final class MinaSessions {

  private static final String LOOPBACK = "127.0.0.1";

  private MinaSessions() {}

  /**
   * One TCP connection, to the first hop, and the session to {@code server} authenticated with
   * {@code identity}; each jump host logs in with its own identity file, if it has one, else with
   * {@code identity} too (a container the test started, where the master's key is authorised).
   *
   * @throws SshOperationException naming the server and, behind jump hosts, the hop that failed
   */
  static ClientSession open(
      SshClient client, ServerEndpoint server, KeyPair identity, Settings settings) {
    List<ServerEndpoint> hops = chain(server);
    ClientSession previous = null;
    for (int i = 0; i < hops.size(); i++) {
      ServerEndpoint hop = hops.get(i);
      boolean target = i == hops.size() - 1;
      try {
        KeyPair key =
            target ? identity : hop.identityFile().map(KeyMaterial::load).orElse(identity);
        ClientSession next =
            previous == null
                ? authenticated(
                    client, hop.user(), hop.host(), hop.port(), hop, false, key, settings)
                : throughForward(client, previous, hop, key, settings);
        previous = next;
      } catch (IOException | RuntimeException e) {
        if (previous != null) {
          previous.close(true); // and with it the hops before it
        }
        throw failure(server, hop, i, hops.size(), e);
      }
    }
    return previous;
  }

  /** The hops from the first (the one the JVM connects to) to {@code server}. */
  private static List<ServerEndpoint> chain(ServerEndpoint server) {
    List<ServerEndpoint> hops = new ArrayList<>();
    for (Optional<ServerEndpoint> hop = Optional.of(server);
        hop.isPresent();
        hop = hop.get().jumpHost()) {
      hops.add(hop.get());
    }
    Collections.reverse(hops);
    return hops;
  }

  /**
   * The session to {@code hop} over a forward through {@code previous}, which resolves the hop's
   * name; the previous hop lives as long as the session through it.
   */
  private static ClientSession throughForward(
      SshClient client, ClientSession previous, ServerEndpoint hop, KeyPair key, Settings settings)
      throws IOException {
    // MINA's own forwarder: SSH traffic of one session, needing none of the streaming forward's
    // care.
    ExplicitPortForwardingTracker forward =
        previous.createLocalPortForwardingTracker(
            new SshdSocketAddress(LOOPBACK, 0), new SshdSocketAddress(hop.host(), hop.port()));
    ClientSession session =
        authenticated(
            client,
            hop.user(),
            LOOPBACK,
            forward.getBoundAddress().getPort(),
            hop,
            true,
            key,
            settings);
    // Its one connection made, the listener goes: no other local process may ride the forward to
    // the hop's SSH port. The connection it accepted stays.
    forward.close();
    session.addCloseFutureListener(closed -> previous.close(true));
    return session;
  }

  private static SshOperationException failure(
      ServerEndpoint server, ServerEndpoint hop, int index, int hops, Exception e) {
    if (e instanceof SshOperationException s && hops == 1) {
      return s;
    }
    String where =
        hop == server
            ? server.describe()
            : hop.describe()
                + " (jump host "
                + (index + 1)
                + " of "
                + (hops - 1)
                + " on the way to "
                + server.user()
                + "@"
                + server.host()
                + ":"
                + server.port()
                + ")";
    return new SshOperationException(
        "Cannot connect the SSH master to " + where + ": " + e.getMessage(), e);
  }

  private static ClientSession authenticated(
      SshClient client,
      String user,
      String host,
      int port,
      ServerEndpoint server,
      boolean throughForward,
      KeyPair identity,
      Settings settings)
      throws IOException {
    AttributeRepository context = HopKeyVerifiers.context(server, throughForward);
    ClientSession session = null;
    try {
      session =
          client
              .connect(user, host, port, context, null)
              .verify(settings.connectTimeout())
              .getSession();
      session.addPublicKeyIdentity(identity);
      session.auth().verify(settings.connectTimeout());
      return session;
    } catch (IOException | RuntimeException e) {
      if (session != null) {
        session.close(true);
      }
      throw e;
    }
  }
}
