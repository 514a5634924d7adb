package dev.muxtest.internal.engine;

/**
 * Shell commands the engines run on the server to probe it, built so that no argument is shell
 * syntax.
 */
public final class ServerCommands {

  private ServerCommands() {}

  /**
   * A command that succeeds if the server can open a TCP connection to {@code host:port} (bash's
   * /dev/tcp). The host reaches bash as a positional parameter, single-quoted for the server's
   * shell: whatever its characters, it is never shell syntax.
   */
  public static String tcpConnect(String host, int port) {
    return "exec bash -c 'exec 3<>\"/dev/tcp/$1/$2\"' probe "
        + "'"
        + host.replace("'", "'\\''")
        + "' "
        + port;
  }
}
