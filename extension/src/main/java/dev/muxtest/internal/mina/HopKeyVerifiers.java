package dev.muxtest.internal.mina;

import dev.muxtest.internal.engine.ServerEndpoint;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.Set;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.session.Session;

/**
 * The host key check of every connection of a master, hop by hop: each connection is opened with a
 * context naming the server it is meant for ({@link #context}), and that server's own policy (its
 * pinned key, or its known_hosts file looked up by its own name and port, not by the loopback
 * address of the forward it is reached through) decides. A connection without such a context is
 * refused.
 */
final class HopKeyVerifiers implements ServerKeyVerifier {

  private static final AttributeRepository.AttributeKey<Hop> HOP =
      new AttributeRepository.AttributeKey<>();

  /**
   * The verifier of one connection, whether it runs through a forward of the previous hop, and the
   * host key types the verifier can accept.
   */
  private record Hop(ServerKeyVerifier verifier, boolean throughForward, Set<String> keyTypes) {}

  /**
   * The connection context for {@code server}; {@code throughForward} when the connection rides a
   * forward through the previous hop (it is then no TCP connection out of the JVM).
   */
  static AttributeRepository context(ServerEndpoint server, boolean throughForward) {
    return AttributeRepository.ofKeyValuePair(
        HOP,
        new Hop(
            MinaClients.verifier(server), throughForward, HostKeyPreference.knownKeyTypes(server)));
  }

  /** Whether {@code session} rides a forward through a previous hop, not a TCP connection out. */
  static boolean isThroughForward(Session session) {
    return session instanceof ClientSession client
        && client.getConnectionContext() != null
        && client.getConnectionContext().getAttribute(HOP) != null
        && client.getConnectionContext().getAttribute(HOP).throughForward();
  }

  /** The host key types the server of {@code session}'s connection is known by; empty if none. */
  static Set<String> knownKeyTypes(ClientSession session) {
    AttributeRepository context = session.getConnectionContext();
    Hop hop = context == null ? null : context.getAttribute(HOP);
    return hop == null ? Set.of() : hop.keyTypes();
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
    AttributeRepository context = session == null ? null : session.getConnectionContext();
    Hop hop = context == null ? null : context.getAttribute(HOP);
    return hop != null && hop.verifier().verifyServerKey(session, remote, serverKey);
  }
}
