package dev.muxtest;

/** Tunnels to UNIX-domain sockets on the server on the MINA engine. */
@SshMultiplexing(engine = Engine.MINA)
@SshTunnel(name = "echo", socket = UnixSocketTunnelConformance.ECHO)
class MinaUnixSocketTunnelTest extends UnixSocketTunnelConformance {

  @SshServer static SshdContainer server = UnixSocketTunnelConformance.server();

  @Override
  int fixedPort() {
    return 29431;
  }
}
