package dev.muxtest.internal;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;

/**
 * The client's forwarding policy: listeners only on loopback, connections (for forwards the
 * server opens towards the test machine) only to loopback, no agent or X11 forwarding.
 *
 * <p>MINA's client forwards nothing unless a filter allows it; this makes the allowance
 * deliberate and narrow, so a tunnel never exposes a service to the network.
 */
public final class LoopbackForwardingFilter implements ForwardingFilter {

  /** The single, stateless instance. */
  public static final LoopbackForwardingFilter INSTANCE = new LoopbackForwardingFilter();

  private LoopbackForwardingFilter() {}

  @Override
  public boolean canListen(SshdSocketAddress address, Session session) {
    return isLoopback(address.getHostName());
  }

  @Override
  public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
    return isLoopback(address.getHostName());
  }

  @Override
  public boolean canForwardAgent(Session session, String requestType) {
    return false;
  }

  @Override
  public boolean canForwardX11(Session session, String requestType) {
    return false;
  }

  static boolean isLoopback(String host) {
    // "localhost" or a literal loopback address; an empty bind address (all interfaces) is not.
    return SshdSocketAddress.isLoopback(host);
  }
}
