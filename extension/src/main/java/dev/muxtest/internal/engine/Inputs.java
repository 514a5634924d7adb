package dev.muxtest.internal.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
   * A portable environment variable name: nothing a server, or OpenSSH's {@code SetEnv} (which
   * splits {@code NAME=value} at the first {@code =}), could read as another name or a pattern.
   */
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Inputs() {}

  /**
   * The longest command, in UTF-8 bytes: sshd runs it as one argument of the user's shell, and
   * Linux takes no argument of 128 KiB or more with its NUL ({@code MAX_ARG_STRLEN}). Longer ones
   * fail there with E2BIG, and over 256 KiB a single exec request exceeds the SSH packet size, so
   * the server drops the whole connection.
   */
  static final int MAX_COMMAND_BYTES = 128 * 1024 - 1;

  /**
   * Checks a command to run, naming {@code method} in the message.
   *
   * @throws IllegalArgumentException if it is null, blank, holds a NUL character, or is longer than
   *     {@link #MAX_COMMAND_BYTES}
   */
  static void command(String method, String command) {
    if (command == null) {
      throw new IllegalArgumentException(method + ": command must not be null");
    }
    if (command.isBlank()) {
      throw new IllegalArgumentException(method + ": command must not be blank");
    }
    if (command.indexOf('\0') >= 0) {
      // A process argument cannot hold one (OpenSSH engine); the MINA engine would send it.
      throw new IllegalArgumentException(method + ": command must not contain a NUL character");
    }
    // Three bytes per char at most: only commands near the limit are encoded to measure them.
    if (command.length() * 3L > MAX_COMMAND_BYTES) {
      int bytes = command.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_COMMAND_BYTES) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "%s: command must be at most %,d bytes (128 KiB with its terminating NUL, the"
                    + " longest argument Linux passes to the server's shell, MAX_ARG_STRLEN), but"
                    + " was %,d bytes: %s",
                method,
                MAX_COMMAND_BYTES,
                bytes,
                CommandText.shorten(command)));
      }
    }
  }

  /**
   * Checks the arguments of {@code exec} before it waits for a session.
   *
   * @param allowed names and {@code PREFIX_*} patterns of variables that may be sent
   * @throws IllegalArgumentException naming the argument at fault: a bad command ({@link
   *     #command}); a null environment, a variable name not matching {@code
   *     [A-Za-z_][A-Za-z0-9_]*}, not allowed, or read by a local client ({@link EnvironmentNames}),
   *     a null value or one with a NUL character; a null timeout, or one not positive or over 24
   *     hours
   */
  static void exec(
      String command, Map<String, String> environment, Duration timeout, List<String> allowed) {
    command("exec", command);
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
      EnvironmentNames.problem(name, allowed)
          .ifPresent(
              why -> {
                throw new IllegalArgumentException(
                    "exec: environment variable '" + name + "' " + why);
              });
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
    HostText.problem(host)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException(operation + ": host " + why);
            });
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          operation + ": port must be from 1 to 65535, but was " + port);
    }
  }
}
