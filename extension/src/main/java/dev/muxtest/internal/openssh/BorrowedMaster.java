package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.OwnMasterEvidence;
import dev.muxtest.internal.engine.Processes;
import dev.muxtest.internal.engine.ServerEndpoint;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user's own OpenSSH master ({@code ssh -M -S path}), which the engine uses and never ends: it
 * is found answering on its socket, never started, restarted, stopped ({@code -O stop}) or ended
 * ({@code -O exit}). What it was at the start (its pid, its TCP connections) is kept for the proof
 * that every session rode it. A JVM that ends without closing its masters (System.exit, a fork
 * ended on timeout) still closes them through a shutdown hook, which cancels the forwards they
 * added: the user's master outlives the JVM, and would keep listening on their ports.
 */
final class BorrowedMaster extends MasterLink {

  private static final Set<BorrowedMaster> IN_USE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> List.copyOf(IN_USE).forEach(borrowed -> borrowed.onJvmExit.run()),
                "muxtest-own-master-shutdown"));
  }

  private final MuxClient client;
  private final Path socket;
  private final Runnable onJvmExit;
  private volatile ProcessHandle master;
  private volatile Optional<Set<String>> connectionsAtStart = Optional.empty();

  /**
   * The user's master on {@code socket}; {@code onJvmExit} closes its user if the JVM ends first.
   */
  BorrowedMaster(MuxClient client, Path socket, Runnable onJvmExit) {
    this.client = client;
    this.socket = socket;
    this.onJvmExit = onJvmExit;
    IN_USE.add(this);
  }

  /**
   * Checks that a master answers on the socket ({@code -O check}, which never touches the network)
   * and notes its pid and TCP connections. No connection is made: always false.
   *
   * @throws SshOperationException naming the socket if nothing answers on it
   */
  @Override
  boolean start(ControlMaster mode, Duration connectTimeout, String server) {
    SshCommand.Result check = client.control("check");
    if (check.exitCode() != 0) {
      throw new SshOperationException(
          String.format(
              "Cannot use %s: no master answers on it (ssh -O check, exit %d: %s); muxtest opens"
                  + " no connection of its own for a control socket: open the master again (ssh"
                  + " -M -S %s -f -N user@host)",
              server, check.exitCode(), check.stderr().strip(), socket));
    }
    master =
        MasterProcess.masterOf(check)
            .orElseThrow(
                () ->
                    new SshOperationException(
                        String.format(
                            "Cannot use %s: its master answered (%s) but its process is not"
                                + " visible here, so muxtest cannot prove that sessions ride it",
                            server, (check.stderr() + check.stdout()).strip())));
    connectionsAtStart = ProcessTcpConnections.of(master);
    return false;
  }

  @Override
  void restart(Duration connectTimeout, String server) {
    throw new SshOperationException(
        "The user's own master on "
            + socket
            + " is gone; muxtest never opens a master of its own for a control socket: open it"
            + " again (ssh -M -S "
            + socket
            + " -f -N user@host)");
  }

  @Override
  boolean alive() {
    ProcessHandle current = master;
    return current != null && Processes.running(current) && ControlDirectory.answers(socket);
  }

  @Override
  boolean answersCheck() {
    return client.control("check").exitCode() == 0;
  }

  /** Nothing: the engine's own state refuses new sessions; the user's master is not touched. */
  @Override
  void stopAccepting() {}

  /** Nothing to the user's master, which is theirs to end; its user is closed. */
  @Override
  void exit(boolean askFirst) {
    IN_USE.remove(this);
  }

  @Override
  String logTail() {
    return "";
  }

  /** The user's master outlives the engine's: every forward added to it is cancelled. */
  @Override
  boolean endsWithItsOwner() {
    return false;
  }

  @Override
  String lostConnectionMessage(String server, Duration keepAliveInterval) {
    return server
        + " no longer answers: muxtest never opens a master of its own for it; open it again"
        + " (ssh -M -S "
        + socket
        + " -f -N user@host)";
  }

  /** The evidence, read now, that the sessions since {@link #start} rode this master. */
  @Override
  Optional<OwnMasterEvidence> ownMasterEvidence(ServerEndpoint server, PublicKey key) {
    Optional<ProcessHandle> now = MasterProcess.masterOf(client.control("check"));
    return Optional.of(
        new OwnMasterEvidence(
            socket,
            master.pid(),
            now.map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty()),
            connectionsAtStart,
            now.flatMap(ProcessTcpConnections::of),
            server.acceptedLogins(key),
            server.logsLogins()));
  }
}
