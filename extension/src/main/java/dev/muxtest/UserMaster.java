package dev.muxtest;

import dev.muxtest.internal.sshconfig.HostChecks;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The server behind a master the user opened by hand ({@code ssh -M -S path user@host}, for example
 * to answer a bastion's second factor): the OpenSSH engine runs every session and forward over that
 * master, as multiplexing clients of its control socket ({@code -S path -o ControlMaster=no}, with
 * a {@code ProxyCommand} that fails, so that no session can fall back to a connection of its own).
 * Declare it as the class's server with {@code @SshServer static UserMaster server =
 * UserMaster.ofControlSocket(...)}.
 *
 * <p>muxtest never ends or stops that master ({@code -O exit}, {@code -O stop}); the forwards it
 * added are cancelled ({@code -O cancel}) when they close. The MINA engine refuses such a server.
 * Where the master goes, and which keys it trusted, is the user's master's own business: this
 * server has no address, user, identity or known_hosts of its own, and takes no jump host (give the
 * jump to the master: {@code ssh -M -S ... -J bastion ...}). The end-of-class proof is that all
 * sessions rode that master: the same process, still holding the TCP connections it held and no new
 * one to the server, and (with {@link #withLoginLog}) no new login in the server's log.
 */
public final class UserMaster implements SshTarget {

  private final Path controlSocket;
  private final Supplier<String> loginLog;

  private UserMaster(Path controlSocket, Supplier<String> loginLog) {
    this.controlSocket = controlSocket;
    this.loginLog = loginLog;
  }

  /**
   * The user's master listening on {@code controlSocket} (made absolute here).
   *
   * @throws IllegalArgumentException naming the path, if it is null, does not exist, is not a
   *     socket, is not owned by the current user (OpenSSH's master takes only its own user's
   *     clients), or holds what OpenSSH would expand ({@code %}, <code>${</code>) or read as a
   *     quote or an escape
   */
  public static UserMaster ofControlSocket(Path controlSocket) {
    if (controlSocket == null) {
      throw new IllegalArgumentException("UserMaster.ofControlSocket: the control socket is null");
    }
    Path socket = controlSocket.toAbsolutePath().normalize();
    String problem = HostChecks.pathProblem(socket, "control socket");
    if (problem == null) {
      problem = HostChecks.socketProblem(socket);
    }
    if (problem != null) {
      throw new IllegalArgumentException("UserMaster.ofControlSocket: " + problem);
    }
    return new UserMaster(socket, null);
  }

  /**
   * The server's log, read at the start and the end of the class: any {@code Accepted} line added
   * meanwhile is a connection that did not ride the user's master (for example the output of {@code
   * journalctl -u ssh} fetched by other means).
   *
   * @throws IllegalArgumentException if {@code log} is null
   */
  public UserMaster withLoginLog(Supplier<String> log) {
    if (log == null) {
      throw new IllegalArgumentException("UserMaster.withLoginLog: the log supplier is null");
    }
    return new UserMaster(controlSocket, log);
  }

  /** The user's master's control socket (an absolute path). */
  public Path controlSocket() {
    return controlSocket;
  }

  /** The server's login log, when given. */
  public Optional<Supplier<String>> loginLog() {
    return Optional.ofNullable(loginLog);
  }

  @Override
  public String toString() {
    return "the user's own master on " + controlSocket;
  }
}
