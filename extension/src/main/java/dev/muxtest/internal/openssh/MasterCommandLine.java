package dev.muxtest.internal.openssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether a process is the OpenSSH master of a control path, by its own command line: the
 * configured ssh, started with {@code -S <that path>} as {@link MasterProcess} starts it. A pid a
 * socket reports is never signalled on the socket's word alone: in another PID namespace, or after
 * the master ended and its pid was reused, that pid is some other process.
 */
final class MasterCommandLine {

  private MasterCommandLine() {}

  /** Whether {@code process} runs {@code sshExecutable} with {@code -S controlPath}. */
  static boolean isMasterOf(ProcessHandle process, String sshExecutable, Path controlPath) {
    List<String> argv = argv(process);
    if (argv.isEmpty() || !sameProgram(argv.get(0), sshExecutable)) {
      return false;
    }
    for (int i = 1; i + 1 < argv.size(); i++) {
      if (argv.get(i).equals("-S") && argv.get(i + 1).equals(controlPath.toString())) {
        return true;
      }
    }
    return false;
  }

  /** argv[0] as exec'd, or the file it names: ssh is often started by name, found on the PATH. */
  private static boolean sameProgram(String argv0, String sshExecutable) {
    if (argv0.equals(sshExecutable)) {
      return true;
    }
    Path given = Path.of(sshExecutable);
    return given.getNameCount() == 1 && Path.of(argv0).getFileName().equals(given);
  }

  /**
   * The process's arguments, argv[0] first: from {@code /proc/<pid>/cmdline}, exact, where there is
   * one; else as the JDK reports them; empty if neither can be read.
   */
  private static List<String> argv(ProcessHandle process) {
    Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
    if (Files.isDirectory(Path.of("/proc/self"))) {
      try {
        String text = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\0"));
      } catch (IOException e) {
        return List.of();
      }
    }
    ProcessHandle.Info info = process.info();
    Optional<String> command = info.command();
    if (command.isEmpty() || info.arguments().isEmpty()) {
      return List.of();
    }
    List<String> argv = new ArrayList<>(List.of(command.get()));
    argv.addAll(Arrays.asList(info.arguments().get()));
    return argv;
  }
}
