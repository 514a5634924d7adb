package dev.muxtest;

import dev.muxtest.internal.embedded.LoginRecorder;
import dev.muxtest.internal.embedded.MinaServer;
import dev.muxtest.internal.embedded.ShellCommands;
import dev.muxtest.internal.engine.KeyMaterial;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An SSH server in the test JVM, for machines without Docker: Apache MINA SSHD's server on {@code
 * 127.0.0.1}, on a free port. Usable as {@code @SshServer static EmbeddedSshServer server = new
 * EmbeddedSshServer();}, with {@link SshMasters#connect(SshTarget)}, and, with the configuration
 * parameter {@code muxtest.defaultServer=embedded}, as the server of every class that declares
 * none.
 *
 * <p>What it is:
 *
 * <ul>
 *   <li>Public-key authentication only, for {@link #user()} with the keys given to {@link
 *       #authorizeKey}; no password, keyboard-interactive or host-based login. A fresh host key,
 *       made in Java, that clients pin through {@link #hostKey()}.
 *   <li>Commands run by the test machine's {@code /bin/bash -c} (the reference container user's
 *       shell; {@code /bin/sh -c} where there is no {@code /bin/bash}), <b>as the user running the
 *       JVM</b>, in the JVM's working directory, with the JVM's environment (without {@code
 *       SSH_AUTH_SOCK}) plus the variables a session sends that OpenSSH's {@code AcceptEnv LANG
 *       LC_* MUXTEST_*} would accept, and {@code SSH_CONNECTION}. A command whose channel closes
 *       while it runs is killed with its child processes. This server's {@code localhost} is the
 *       test machine itself: it is not a separate machine, and a command can do whatever the test's
 *       own user can.
 *   <li>The SFTP subsystem, on the test machine's file system.
 *   <li>TCP forwarding: local forwards (direct-tcpip) to anything the test machine reaches; remote
 *       forwards listen on loopback only (as sshd's {@code GatewayPorts no}). No agent or X11
 *       forwarding, no tun devices.
 *   <li>No UNIX-socket forwarding: Apache MINA SSHD does not implement OpenSSH's {@code
 *       direct-streamlocal@openssh.com} or {@code streamlocal-forward@openssh.com}, so such a
 *       channel or request is refused.
 *   <li>At most {@link #maxSessions()} sessions (commands, SFTP) at once on one connection, as
 *       sshd's MaxSessions; more are refused. Other channels (forwards) are not limited.
 *   <li>Its own record of logins ({@link #acceptedPublicKeyLogins}): one {@code Accepted publickey
 *       for <user> from 127.0.0.1 port <port> ssh2: <type> <fingerprint>} line per connection
 *       authenticated, noted by the server when it authenticates the connection. The proof of one
 *       connection reads it as it reads a container's sshd log.
 * </ul>
 *
 * <p>What it is not: OpenSSH's sshd. Its MaxSessions, log, forwarding rules and environment are
 * modelled on the reference container's, not taken from it; behaviour of sshd itself (its log
 * messages, {@code sshd_config} options, privilege separation, {@code ~/.ssh/rc}, the user's own
 * login shell, ptys, agent forwarding) is not there, nor is a separate host or network.
 *
 * <p>Commands need a POSIX shell at {@code /bin/bash} or {@code /bin/sh} (Linux, macOS); readiness
 * checks of REMOTE tunnels run {@code bash}. Closing the server ({@link #close()}) stops it.
 */
public final class EmbeddedSshServer implements SshTarget, AutoCloseable {

  /** The address the server listens on, and the only one. */
  public static final String HOST = "127.0.0.1";

  /** Sessions per connection unless {@link #withMaxSessions} says otherwise: the image's figure. */
  public static final int DEFAULT_MAX_SESSIONS = 200;

  /** The login user when the JVM's user name is not a plain POSIX name. */
  static final String FALLBACK_USER = "muxtest";

  private static final Pattern PLAIN_USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,31}");

  private final KeyPair hostKey = KeyMaterial.generate();
  private final String username = loginName(System.getProperty("user.name"));
  private final LoginRecorder logins = new LoginRecorder(username);
  private final ShellCommands commands = new ShellCommands();
  private int maxSessions = DEFAULT_MAX_SESSIONS;
  private MinaServer server;
  private volatile int port = -1;

  /** A server, not started, with a fresh host key and no key authorised. */
  public EmbeddedSshServer() {}

  /**
   * Sets how many sessions (commands, SFTP) one connection may have open at once, as sshd's
   * MaxSessions; masters run at most one fewer at once. Default {@value #DEFAULT_MAX_SESSIONS}.
   *
   * @return this server
   * @throws IllegalArgumentException if {@code maxSessions} is below 1
   * @throws IllegalStateException if the server is running
   */
  public synchronized EmbeddedSshServer withMaxSessions(int maxSessions) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException(
          "EmbeddedSshServer.withMaxSessions: must be at least 1, but was " + maxSessions);
    }
    if (isRunning()) {
      throw new IllegalStateException(
          "EmbeddedSshServer.withMaxSessions: set it before start(); the server is running on port "
              + port);
    }
    this.maxSessions = maxSessions;
    return this;
  }

  /**
   * Starts the server on {@value #HOST} and a free port; nothing if it runs already. A server
   * stopped earlier starts again with the same host key and authorised keys, on a new port.
   *
   * @throws SshOperationException if it cannot listen
   */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    server = MinaServer.start(HOST, hostKey, maxSessions, logins, commands);
    port = server.port();
  }

  /**
   * Stops the server: its connections close, commands still running are killed with their child
   * processes, and its port is freed. Nothing if it is not running.
   */
  public synchronized void stop() {
    MinaServer running = server;
    server = null;
    port = -1;
    if (running != null) {
      running.stop();
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /** Whether the server is listening. */
  public boolean isRunning() {
    return port > 0;
  }

  /** The address to connect to: always {@value #HOST}. */
  public String host() {
    return HOST;
  }

  /**
   * The port the server listens on.
   *
   * @throws IllegalStateException if it is not running
   */
  public int port() {
    int current = port;
    if (current <= 0) {
      throw new IllegalStateException("The embedded SSH server is not running; start() it first");
    }
    return current;
  }

  /**
   * The login user: the name of the user running the JVM ({@code user.name}), who runs every
   * command; {@value #FALLBACK_USER} if that name is not a plain POSIX user name (commands still
   * run as the JVM's user).
   */
  public String user() {
    return username;
  }

  /** The server's host key; clients pin it instead of accepting any key. */
  public PublicKey hostKey() {
    return hostKey.getPublic();
  }

  /** Sessions one connection may have open at once (sshd's MaxSessions). */
  public synchronized int maxSessions() {
    return maxSessions;
  }

  /**
   * Lets {@code key} log in as {@link #user()}, before or while the server runs.
   *
   * @throws IllegalArgumentException if {@code key} is null
   */
  public void authorizeKey(PublicKey key) {
    if (key == null) {
      throw new IllegalArgumentException("EmbeddedSshServer.authorizeKey: the key is null");
    }
    logins.authorize(key);
  }

  /**
   * The server's record of connections authenticated with {@code clientKey}: one {@code Accepted
   * publickey for ...} line per connection, as OpenSSH's sshd logs it.
   *
   * @throws IllegalArgumentException if {@code clientKey} is null
   */
  public List<String> acceptedPublicKeyLogins(PublicKey clientKey) {
    if (clientKey == null) {
      throw new IllegalArgumentException(
          "EmbeddedSshServer.acceptedPublicKeyLogins: the key is null");
    }
    return logins.acceptedLogins(clientKey);
  }

  /** The server's last events (connections, refused keys, logins), for diagnostics. */
  public List<String> recentLog() {
    return logins.recentLog();
  }

  /** The JVM's user name if it is a plain POSIX name, safe in an ssh config; else the fallback. */
  static String loginName(String jvmUser) {
    return jvmUser != null && PLAIN_USER.matcher(jvmUser).matches() ? jvmUser : FALLBACK_USER;
  }

  @Override
  public String toString() {
    int current = port;
    return "EmbeddedSshServer["
        + username
        + "@"
        + HOST
        + (current > 0 ? ":" + current : ", not running")
        + "]";
  }
}
