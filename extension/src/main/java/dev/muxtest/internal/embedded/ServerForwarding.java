package dev.muxtest.internal.embedded;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;

/**
 * The embedded server's forwarding policy. Local forwards (direct-tcpip) may reach whatever the
 * test machine reaches, as OpenSSH's {@code AllowTcpForwarding yes}: the server is the test
 * machine. Remote forwards listen on loopback only, as OpenSSH's {@code GatewayPorts no}; a request
 * for any other address, or for all of them, is refused. No agent or X11 forwarding.
 */
final class ServerForwarding implements ForwardingFilter {

  /** The single, stateless instance. */
  public static final ServerForwarding INSTANCE = new ServerForwarding();

  private ServerForwarding() {}

  @Override
  public boolean canListen(SshdSocketAddress address, Session session) {
    // "localhost" or a literal loopback address; an empty address (all interfaces) is not.
    return SshdSocketAddress.isLoopback(address.getHostName());
  }

  @Override
  public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
    return true;
  }

  @Override
  public boolean canForwardAgent(Session session, String requestType) {
    return false;
  }

  @Override
  public boolean canForwardX11(Session session, String requestType) {
    return false;
  }
}
