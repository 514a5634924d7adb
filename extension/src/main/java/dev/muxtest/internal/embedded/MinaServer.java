package dev.muxtest.internal.embedded;

import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.forward.DirectTcpipFactory;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * A running Apache MINA SSHD server as the embedded server configures it: public-key logins noted
 * by a {@link LoginRecorder}, commands and shells by {@link ShellCommands}, SFTP, direct-tcpip and
 * loopback-only remote forwards, at most {@code maxSessions} sessions per connection.
 */
public final class MinaServer {

  private final SshServer server;
  private final ShellCommands commands;

  private MinaServer(SshServer server, ShellCommands commands) {
    this.server = server;
    this.commands = commands;
  }

  /**
   * Starts a server on {@code host} and a free port.
   *
   * @throws SshOperationException if it cannot listen
   */
  public static MinaServer start(
      String host, KeyPair hostKey, int maxSessions, LoginRecorder logins, ShellCommands commands) {
    List<ChannelFactory> channels =
        List.of(new SessionChannels(maxSessions), DirectTcpipFactory.INSTANCE);
    SshServer server = ServerBuilder.builder().channelFactories(channels).build();
    server.setHost(host);
    server.setPort(0);
    server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    server.setPublickeyAuthenticator(logins);
    server.setPasswordAuthenticator(null);
    server.setKeyboardInteractiveAuthenticator(null);
    server.setHostBasedAuthenticator(null);
    server.setGSSAuthenticator(null);
    server.addSessionListener(logins);
    server.setCommandFactory(commands);
    server.setShellFactory(commands);
    server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
    server.setFileSystemFactory(NativeFileSystemFactory.INSTANCE);
    server.setForwardingFilter(ServerForwarding.INSTANCE);
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      closeQuietly(server);
      throw new SshOperationException(
          "Cannot start the embedded SSH server on " + host + ": " + e.getMessage(), e);
    }
    return new MinaServer(server, commands);
  }

  /** The port it listens on. */
  public int port() {
    return server.getPort();
  }

  /** Stops it at once: connections close, and commands still running are killed. */
  public void stop() {
    try {
      closeQuietly(server);
    } finally {
      commands.killAll();
    }
  }

  private static void closeQuietly(SshServer server) {
    try {
      server.stop(true);
    } catch (IOException e) {
      // stopping immediately closes sockets and threads; nothing is left to retry
    }
  }
}
