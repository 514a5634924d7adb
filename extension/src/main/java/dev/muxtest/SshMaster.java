package dev.muxtest;

import java.time.Duration;

/**
 * The single SSH connection of a test class. Every command and forward of the class travels over
 * it as a channel. Inject it as a test-method, lifecycle-method or constructor parameter.
 */
public interface SshMaster {

  /** Runs a shell command on the server over the master, with the default command timeout. */
  ExecResult exec(String command);

  /**
   * Runs a shell command on the server over the master.
   *
   * @throws SshOperationException if the command cannot be started or does not end within {@code timeout}
   */
  ExecResult exec(String command, Duration timeout);

  /**
   * Opens a local forward at run time: a listener on {@code 127.0.0.1} on a free port leading to
   * {@code host:port} as seen from the server. It is closed with the master at the latest.
   */
  Forward forwardLocal(String host, int port);

  /**
   * Number of TCP connections this master has opened, counted on the client side; 1 for a
   * healthy class.
   */
  long tcpConnectionsOpened();

  /**
   * The evidence of multiplexing from both sides: the client's count and the server's log of
   * authenticated connections made with this master's key.
   */
  ConnectionReport connectionReport();
}
