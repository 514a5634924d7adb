package dev.muxtest.internal.engine;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Checks of what a test hands a master, made in the engines' common base so that both engines
 * refuse the same input with the same {@link IllegalArgumentException}, before anything reaches a
 * server, a shell or an ssh option.
 */
final class Inputs {

  /**
   * A portable environment variable name. OpenSSH takes the name of {@code SendEnv} as a pattern
   * ({@code *}, {@code ?}, a leading {@code -}) over the whole environment of the JVM; this leaves
   * it nothing to match but the variable asked for.
   */
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Inputs() {}

  /**
   * Checks the arguments of {@code exec} before it waits for a session.
   *
   * @throws IllegalArgumentException naming the argument at fault: a null or blank command, or one
   *     with a NUL character; a null environment, a variable name not matching {@code
   *     [A-Za-z_][A-Za-z0-9_]*}, a null value or one with a NUL character; a null timeout, or one
   *     not positive or over 24 hours
   */
  static void exec(String command, Map<String, String> environment, Duration timeout) {
    if (command == null) {
      throw new IllegalArgumentException("exec: command must not be null");
    }
    if (command.isBlank()) {
      throw new IllegalArgumentException("exec: command must not be blank");
    }
    if (command.indexOf('\0') >= 0) {
      // A process argument cannot hold one (OpenSSH engine); the MINA engine would send it.
      throw new IllegalArgumentException("exec: command must not contain a NUL character");
    }
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("exec: timeout must be positive, but was " + timeout);
    }
    if (timeout.compareTo(Settings.MAX_DURATION) > 0) {
      throw new IllegalArgumentException("exec: timeout must be at most 24h, but was " + timeout);
    }
    if (environment == null) {
      throw new IllegalArgumentException("exec: environment must not be null");
    }
    for (Map.Entry<String, String> variable : environment.entrySet()) {
      String name = variable.getKey();
      if (name == null || !ENV_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "exec: environment variable name "
                + (name == null ? "null" : "'" + name + "'")
                + " is not a name of letters, digits and '_' ([A-Za-z_][A-Za-z0-9_]*)");
      }
      // Values are not quoted in messages: they may be secrets.
      if (variable.getValue() == null) {
        throw new IllegalArgumentException(
            "exec: environment variable '" + name + "' must not have a null value");
      }
      if (variable.getValue().indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "exec: the value of environment variable '" + name + "' contains a NUL character");
      }
    }
  }

  /**
   * Checks a local forward's listening port and destination.
   *
   * @throws IllegalArgumentException naming the argument at fault
   */
  static void forwardLocal(int bindPort, String host, int port) {
    listeningPort("forwardLocal", "bindPort", bindPort);
    destination("forwardLocal", host, port);
  }

  /**
   * Checks a remote forward's server port and destination, which must be a loopback address of the
   * test machine, as {@code @SshTunnel(type = REMOTE)} requires: a forward must not hand the server
   * a way into the test machine's network.
   *
   * @throws IllegalArgumentException naming the argument at fault
   */
  static void forwardRemote(int remotePort, String host, int port) {
    listeningPort("forwardRemote", "remotePort", remotePort);
    destination("forwardRemote", host, port);
    // The rule of the annotations (TunnelDeclarations) and of MINA's forwarding filter: literal
    // loopback addresses and "localhost", never resolved.
    if (!SshdSocketAddress.isLoopback(host)) {
      throw new IllegalArgumentException(
          "forwardRemote: host must be a loopback address of the test machine (localhost, 127.0.0.1,"
              + " ::1), but was '"
              + host
              + "'");
    }
  }

  /**
   * Checks a dynamic forward's listening port.
   *
   * @throws IllegalArgumentException if it is not from 0 to 65535
   */
  static void forwardDynamic(int bindPort) {
    listeningPort("forwardDynamic", "bindPort", bindPort);
  }

  /**
   * Checks a local forward's listening port and the path of the UNIX-domain socket it leads to.
   *
   * @throws IllegalArgumentException naming the argument at fault
   */
  static void forwardLocalSocket(int bindPort, String remoteSocketPath) {
    listeningPort("forwardLocalSocket", "bindPort", bindPort);
    SocketPaths.problem(remoteSocketPath)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException("forwardLocalSocket: remoteSocketPath " + why);
            });
  }

  private static void listeningPort(String operation, String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          operation + ": " + name + " must be from 0 to 65535 (0: any free port), but was " + port);
    }
  }

  private static void destination(String operation, String host, int port) {
    if (host == null) {
      throw new IllegalArgumentException(operation + ": host must not be null");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException(operation + ": host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          operation + ": port must be from 1 to 65535, but was " + port);
    }
  }
}
