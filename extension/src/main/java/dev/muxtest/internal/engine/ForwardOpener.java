package dev.muxtest.internal.engine;

import dev.muxtest.Forward;

/**
 * How an engine opens each kind of forward. The master is accepting and the arguments are checked
 * when these are called; the forward tells its master when it closes.
 */
public interface ForwardOpener {

  /**
   * Opens a local forward from {@code 127.0.0.1:bindPort} (0: a free port) to {@code host:port}.
   */
  Forward local(int bindPort, String host, int port);

  /** Opens a remote forward from the server's {@code remotePort} (0: any) to {@code host:port}. */
  Forward remote(int remotePort, String host, int port);

  /** Opens a dynamic forward (SOCKS proxy) on {@code 127.0.0.1:bindPort} (0: a free port). */
  Forward dynamic(int bindPort);

  /**
   * Opens a local forward to the UNIX-domain socket {@code path} on the server, the path checked
   * ({@link SocketPaths}).
   */
  Forward localSocket(int bindPort, String path);
}
