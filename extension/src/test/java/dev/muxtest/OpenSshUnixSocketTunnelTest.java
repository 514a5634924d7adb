package dev.muxtest;

/** Tunnels to UNIX-domain sockets on the server on the OPENSSH engine. */
@SshMultiplexing(engine = Engine.OPENSSH)
@SshTunnel(name = "echo", socket = UnixSocketTunnelConformance.ECHO)
class OpenSshUnixSocketTunnelTest extends UnixSocketTunnelConformance {

  @SshServer static SshdContainer server = UnixSocketTunnelConformance.server();

  @Override
  int fixedPort() {
    return 29432;
  }
}
