package dev.muxtest.internal.mina;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;

/**
 * The client's forwarding policy: listeners only on loopback, and connections (for forwards the
 * server opens towards the test machine) only to loopback.
 *
 * <p>MINA's client forwards nothing unless a filter allows it; this makes the allowance deliberate
 * and narrow, so a tunnel never exposes a service to the network.
 */
final class LoopbackForwardingFilter implements ForwardingFilter {

  /** The single, stateless instance. */
  static final LoopbackForwardingFilter INSTANCE = new LoopbackForwardingFilter();

  private LoopbackForwardingFilter() {}

  @Override
  public boolean canListen(SshdSocketAddress address, Session session) {
    return isLoopback(address.getHostName());
  }

  @Override
  public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
    return isLoopback(address.getHostName());
  }

  /**
   * Refused: this answers a peer that asks this side to forward an agent to it, which only an SSH
   * server is asked. The master's own agent forwarding ({@code forwardAgent}) is requested by this
   * client on each exec channel and does not pass through here.
   */
  @Override
  public boolean canForwardAgent(Session session, String requestType) {
    return false;
  }

  /** Refused, as {@link #canForwardAgent}: a peer's X11 request, which only a server is asked. */
  @Override
  public boolean canForwardX11(Session session, String requestType) {
    return false;
  }

  static boolean isLoopback(String host) {
    // "localhost" or a literal loopback address; an empty bind address (all interfaces) is not.
    return SshdSocketAddress.isLoopback(host);
  }
}
