package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.ExecResult;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.CommandText;
import dev.muxtest.internal.engine.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The OpenSSH client program as one master uses it: {@code ssh -F <config>} command lines, control
 * commands ({@code -O}), commands run as multiplexing clients, and what OpenSSH's stderr says when
 * a session did not go over the master.
 */
final class MuxClient {

  private static final String SESSION_REFUSED = "Session open refused";

  /** Messages of OpenSSH's multiplexing client: the session did not go over the master. */
  private static final List<String> MUX_FAILURES =
      List.of(
          "mux_client",
          "Control socket connect",
          "ControlSocket",
          "Session open refused",
          "disabling multiplexing",
          "kex_exchange_identification",
          "master is not running",
          "Connection closed by UNKNOWN");

  private final String executable;
  private final Path config;
  private final Path directory;
  private final ControlMaster mode;
  private final Duration controlTimeout;
  private final long maxOutput;

  /**
   * @param maxOutput most bytes one run may write to each of stdout and stderr ({@link
   *     Settings#EXEC_MAX_OUTPUT})
   */
  MuxClient(
      String executable,
      Path config,
      Path directory,
      ControlMaster mode,
      Duration controlTimeout,
      long maxOutput) {
    this.executable = executable;
    this.config = config;
    this.directory = directory;
    this.mode = mode;
    this.controlTimeout = controlTimeout;
    this.maxOutput = maxOutput;
  }

  /**
   * {@code ssh -F <config> <args...>}. Whoever adds the destination puts {@code --} before it:
   * OpenSSH reads the arguments after the destination as options too, and a command (or anything
   * after the host) must never be one.
   */
  List<String> ssh(List<String> args) {
    List<String> command = new ArrayList<>(List.of(executable, "-F", config.toString()));
    command.addAll(args);
    return command;
  }

  /** {@code ssh -O <operation> [args] -- <server>} against the master's control socket. */
  SshCommand.Result control(String operation, String... args) {
    List<String> command = new ArrayList<>(List.of("-O", operation));
    command.addAll(List.of(args));
    command.add("--");
    command.add(OpenSshConfig.HOST_ALIAS);
    return run(command, controlTimeout);
  }

  /** {@code ssh -F <config> <args...>}, within {@code timeout} and the output bound. */
  SshCommand.Result run(List<String> args, Duration timeout) {
    return SshCommand.run(ssh(args), Map.of(), directory, timeout, maxOutput);
  }

  /**
   * Runs {@code command} on the server as a multiplexing client (or, with ControlMaster NO, on a
   * connection of its own), sending {@code environment} to the server only: it travels as {@code
   * SetEnv}, never in the ssh process's own environment, where {@code LD_PRELOAD} and the like
   * would act on the test machine.
   *
   * @param timeout the command's whole timeout, for messages; {@code left} is what remains of it
   * @throws SshOperationException if it does not finish within {@code left}, or did not go over the
   *     master
   */
  ExecResult exec(
      String command,
      Map<String, String> environment,
      Duration timeout,
      Duration left,
      String server) {
    List<String> args = new ArrayList<>(List.of("-T"));
    if (!environment.isEmpty()) {
      args.addAll(List.of("-o", setEnv(environment)));
    }
    args.addAll(clientOptions());
    // "--": a command starting with "-" goes to the server, never into ssh's options.
    args.add("--");
    args.add(OpenSshConfig.HOST_ALIAS);
    args.add(command);
    SshCommand.Result result;
    try {
      result = SshCommand.run(ssh(args), Map.of(), directory, left, maxOutput);
    } catch (SshCommand.TimedOut e) {
      throw new SshOperationException(
          "Command did not finish within "
              + timeout
              + " on "
              + server
              + ": "
              + CommandText.shorten(command),
          e);
    } catch (SshCommand.OutputTooLarge e) {
      throw new SshOperationException(
          String.format(
              "Command wrote more than %d bytes to %s, the limit set by %s, on %s, and was ended: %s",
              e.limit(),
              e.stream(),
              Settings.EXEC_MAX_OUTPUT,
              server,
              CommandText.shorten(command)),
          e);
    }
    if (mode != ControlMaster.NO && result.exitCode() == 255 && isMuxFailure(result.stderr())) {
      String message =
          String.format(
              "OpenSSH did not run the command over the master to %s, and no second connection was made: %s%s",
              server, muxFailureCause(result.stderr()), CommandText.shorten(command));
      throw result.stderr().contains(SESSION_REFUSED)
          ? new SessionRefused(message)
          : new SshOperationException(message);
    }
    return new ExecResult(result.exitCode(), result.stdoutBytes(), result.stderrBytes());
  }

  /**
   * One {@code SetEnv} option with every variable: ssh takes only the first SetEnv it reads. Each
   * {@code NAME=value} is one double-quoted word, its backslashes and quotes escaped, as ssh's
   * config parser splits and unescapes it.
   */
  static String setEnv(Map<String, String> environment) {
    return "SetEnv="
        + environment.entrySet().stream()
            .map(
                variable ->
                    "\""
                        + (variable.getKey() + "=" + variable.getValue())
                            .replace("\\", "\\\\")
                            .replace("\"", "\\\"")
                        + "\"")
            .collect(Collectors.joining(" "));
  }

  /**
   * Options of every multiplexing client. Were the master to refuse a session, OpenSSH would
   * quietly open a connection of its own; a ProxyCommand that fails makes that fallback fail loudly
   * instead.
   */
  private List<String> clientOptions() {
    return mode == ControlMaster.NO
        ? List.of("-o", "ControlPath=none")
        : List.of("-o", "ControlMaster=no", "-o", "ProxyCommand=false");
  }

  /** The mux client's own words, without the echo of the blocked fallback, and what they mean. */
  static String muxFailureCause(String stderr) {
    String words =
        stderr
            .lines()
            .filter(
                line ->
                    !line.startsWith("kex_exchange_identification")
                        && !line.startsWith("Connection closed by UNKNOWN"))
            .map(String::strip)
            .collect(Collectors.joining("; "));
    String meaning =
        stderr.contains(SESSION_REFUSED)
            ? "the server refused a new session on the master's connection (is its MaxSessions reached?)"
            : "the master did not take the session";
    return meaning + ": " + words + ": ";
  }

  static boolean isMuxFailure(String stderr) {
    return MUX_FAILURES.stream().anyMatch(stderr::contains);
  }

  /**
   * The command line of a long-running process: {@code ssh -T} ({@code -tt} with a terminal) as a
   * multiplexing client that cannot fall back to a connection of its own, the command the last
   * argument after {@code --}, so that it travels as the exec request and is never an option.
   */
  List<String> process(String command, boolean terminal) {
    List<String> args = new ArrayList<>(List.of(terminal ? "-tt" : "-T"));
    args.addAll(clientOptions());
    args.add("--");
    args.add(OpenSshConfig.HOST_ALIAS);
    args.add(command);
    return ssh(args);
  }

  /** The ssh program this master runs. */
  String executable() {
    return executable;
  }

  /** The generated client configuration ({@code -F}). */
  Path config() {
    return config;
  }

  /** The private directory of the master. */
  Path directory() {
    return directory;
  }

  /** The bound on what one run may write to each of stdout and stderr. */
  long maxOutput() {
    return maxOutput;
  }

  /** The master's mode: NO, commands and transfers connect on their own. */
  ControlMaster mode() {
    return mode;
  }

  /** {@link #clientOptions()}, for the sftp program, which passes them on to ssh. */
  List<String> multiplexingOptions() {
    return clientOptions();
  }

  /** The server refused the session the command needed (its MaxSessions reached, say). */
  static final class SessionRefused extends SshOperationException {
    private static final long serialVersionUID = 1L;

    SessionRefused(String message) {
      super(message);
    }
  }
}
