package dev.muxtest.internal.mina;

import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.ForwardOpener;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * How the MINA engine opens forwards: local, dynamic and UNIX-socket forwards are listeners of the
 * test JVM whose every connection is a channel of the master's session; a remote forward is the
 * server's listener, asked for over the session.
 */
final class MinaForwards implements ForwardOpener {

  private static final String LOOPBACK = "127.0.0.1";

  private final Supplier<ClientSession> session;
  private final Duration connectTimeout;
  private final String server;
  private final Consumer<Forward> onClose;

  /**
   * Forwards over {@code session} (reconnected first where wanted) to {@code server} (for
   * messages); each closed forward is handed to {@code onClose}.
   */
  MinaForwards(
      Supplier<ClientSession> session,
      Duration connectTimeout,
      String server,
      Consumer<Forward> onClose) {
    this.session = session;
    this.connectTimeout = connectTimeout;
    this.server = server;
    this.onClose = onClose;
  }

  @Override
  public Forward local(int bindPort, String host, int port) {
    return opened(
        "a local forward to " + host + ":" + port + " through " + server,
        () -> StreamingLocalForward.open(session, bindPort, host, port, connectTimeout, onClose));
  }

  @Override
  public Forward remote(int remotePort, String host, int port) {
    return opened(
        "a remote forward from port " + remotePort + " on " + server + " to " + host + ":" + port,
        () ->
            new MinaRemoteForward(
                session
                    .get()
                    .createRemotePortForwardingTracker(
                        new SshdSocketAddress(LOOPBACK, remotePort),
                        new SshdSocketAddress(host, port)),
                onClose));
  }

  @Override
  public Forward dynamic(int bindPort) {
    return opened(
        "a dynamic forward (SOCKS proxy) on 127.0.0.1:" + bindPort + " through " + server,
        () -> StreamingLocalForward.openSocks(session, bindPort, connectTimeout, onClose));
  }

  /**
   * A listener whose every connection is a {@code direct-streamlocal@openssh.com} channel to the
   * socket, pumped as the local TCP forwards are.
   */
  @Override
  public Forward localSocket(int bindPort, String path) {
    return opened(
        "a local forward to the UNIX socket " + path + " through " + server,
        () -> StreamingLocalForward.openToSocket(session, bindPort, path, connectTimeout, onClose));
  }

  /** Opens a forward, naming {@code what} when it cannot. */
  private static Forward opened(String what, Opening opening) {
    try {
      return opening.open();
    } catch (IOException e) {
      throw new SshOperationException("Cannot open " + what + ": " + e.getMessage(), e);
    }
  }

  /** Opening one forward, which may fail with an I/O error. */
  @FunctionalInterface
  private interface Opening {
    Forward open() throws IOException;
  }
}
