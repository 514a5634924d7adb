package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenSSH master process ({@code ssh -M -N}) of one control socket: started, found again by its
 * pid, checked (a zombie or a silent socket is no master), and ended with {@code -O exit} (killed
 * if it stays). A JVM that ends without closing its masters (System.exit, a fork killed on timeout)
 * still closes them through a shutdown hook: a master is a process of its own that would outlive
 * the JVM.
 */
final class MasterProcess extends MasterLink {

  private static final System.Logger LOG = System.getLogger(MasterProcess.class.getName());
  private static final Pattern MASTER_PID = Pattern.compile("Master running \\(pid=(\\d+)\\)");
  private static final Duration EXIT_WAIT = Duration.ofSeconds(5);
  private static final Set<MasterProcess> RUNNING = ConcurrentHashMap.newKeySet();
  private static final Thread SHUTDOWN_HOOK =
      new Thread(
          () -> List.copyOf(RUNNING).forEach(master -> master.onJvmExit.run()),
          "muxtest-openssh-shutdown");

  static {
    Runtime.getRuntime().addShutdownHook(SHUTDOWN_HOOK);
  }

  private final MuxClient client;
  private final Path controlPath;
  private final Path log;
  private final Runnable onJvmExit;
  private volatile ProcessHandle process;

  /**
   * The master of {@code controlPath}; {@code onJvmExit} closes its owner if the JVM ends first.
   */
  MasterProcess(MuxClient client, Path controlPath, Path log, Runnable onJvmExit) {
    this.client = client;
    this.controlPath = controlPath;
    this.log = log;
    this.onJvmExit = onJvmExit;
    RUNNING.add(this);
  }

  /**
   * Starts the master and waits until it is authenticated; with AUTO, a live master already on the
   * control path is used instead. Whether a new connection was made.
   *
   * @throws SshOperationException naming {@code server} and the master's own log when it cannot
   *     start
   */
  boolean start(ControlMaster mode, Duration connectTimeout, String server) {
    if (mode == ControlMaster.AUTO
        && Files.exists(controlPath)
        && client.control("check").exitCode() == 0) {
      process = pid().orElse(null);
      return false; // a live master on this path: reuse it
    }
    List<String> command =
        List.of(
            "-M",
            "-N",
            "-o",
            "ControlMaster=yes",
            // Backgrounds the master once it is authenticated; we own it and end it with -O exit.
            "-o",
            "ControlPersist=yes",
            "-o",
            "LogLevel=INFO",
            "-E",
            log.toString(),
            // The master forwards a mux client's environment only where its own SendEnv allows; the
            // clients already send only the names exec() asked for.
            "-o",
            "SendEnv=*",
            // The control path on the command line too (as in the config): a sweep of another run
            // signals a pid only if its command line names this path (MasterCommandLine).
            "-S",
            controlPath.toString(),
            "--",
            OpenSshConfig.HOST_ALIAS);
    // The foreground process returns once the master is up (or failed); the master lives on. Should
    // this thread be interrupted, the foreground ssh is killed, and exit() ends a master that went
    // to the background already.
    SshCommand.Result started = client.run(command, connectTimeout.plusSeconds(5));
    if (started.exitCode() != 0) {
      throw new SshOperationException(
          String.format(
              "Cannot start the OpenSSH master to %s (exit %d): %s%s",
              server, started.exitCode(), started.stderr().strip(), logTail()));
    }
    process =
        pid()
            .orElseThrow(
                () ->
                    new SshOperationException(
                        "The OpenSSH master to "
                            + server
                            + " started but does not answer on "
                            + controlPath
                            + logTail()));
    LOG.log(Level.DEBUG, "OpenSSH master {0} to {1} running", process.pid(), server);
    return true;
  }

  /** Starts a new master on the same control path after the last one's connection was lost. */
  void restart(Duration connectTimeout, String server) {
    try {
      Files.deleteIfExists(controlPath); // a socket nobody listens on any more
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove the dead control socket " + controlPath, e);
    }
    start(ControlMaster.YES, connectTimeout, server);
  }

  private Optional<ProcessHandle> pid() {
    return masterOf(client.control("check"));
  }

  /** The master process that answered {@code -O check} with its pid, if it did and still runs. */
  static Optional<ProcessHandle> masterOf(SshCommand.Result check) {
    Matcher m = MASTER_PID.matcher(check.stderr() + check.stdout());
    return check.exitCode() == 0 && m.find()
        ? ProcessHandle.of(Long.parseLong(m.group(1)))
        : Optional.empty();
  }

  /**
   * The master runs and answers on its socket. An OpenSSH master deletes its socket when it ends
   * (connection lost, -O exit); its process may then linger as a zombie where nothing reaps
   * orphans, so the process alone does not tell.
   */
  boolean alive() {
    ProcessHandle current = process;
    return current != null && Processes.running(current) && ControlDirectory.answers(controlPath);
  }

  /** {@code -O check}: the master process answers on its socket (without touching the network). */
  boolean answersCheck() {
    return client.control("check").exitCode() == 0;
  }

  /** {@code -O stop}: the master takes no new sessions or forwards; running ones finish. */
  void stopAccepting() {
    SshCommand.Result result = client.control("stop");
    if (result.exitCode() != 0) {
      LOG.log(Level.WARNING, "ssh -O stop failed: {0}", result.stderr().strip());
    }
  }

  /**
   * Ends the master ({@code -O exit} unless {@code askFirst} is false, as after {@code -O stop})
   * and waits for its process, killing it if it stays. A master whose start did not finish (the
   * starting thread was interrupted, or the JVM is ending) is found on its socket and ended too. No
   * master process is left afterwards. Runs on an interrupted thread as on any other: the flag is
   * cleared meanwhile and set again.
   */
  void exit(boolean askFirst) {
    boolean interrupted = Thread.interrupted();
    try {
      ProcessHandle current = process;
      boolean ask = askFirst;
      if (current == null && ControlDirectory.answers(controlPath)) {
        current = pid().orElse(null);
        ask = true;
      }
      if (current != null && Processes.running(current)) {
        if (ask) {
          client.control("exit");
        }
        if (!Processes.awaitEnd(current, EXIT_WAIT)) {
          current.destroy();
          if (!Processes.awaitEnd(current, EXIT_WAIT)) {
            current.destroyForcibly();
          }
        }
      }
    } finally {
      RUNNING.remove(this);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  String lostConnectionMessage(String server, Duration keepAliveInterval) {
    return "The OpenSSH master to "
        + server
        + " has exited: its connection was lost (keep-alive every "
        + keepAliveInterval
        + ", 2 unanswered end it)"
        + logTail();
  }

  /** The end of the master's own log, for messages; empty if it wrote none. */
  @Override
  String logTail() {
    try {
      if (!Files.exists(log)) {
        return "";
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "\nmaster log:\n  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }
}
