package dev.muxtest.samples;

import static dev.muxtest.assertj.MuxAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OpenSSH engine with the real command-line client: a test hands the master's control socket to
 * {@code ssh -S}, and whatever runs through it shares the class's one TCP connection.
 */
@SshMultiplexing(engine = Engine.OPENSSH)
class OpenSshCommandLineTest {

  @Test
  void theMasterAnswersOnItsControlSocket(SshMaster master) throws Exception {
    Path controlPath = master.controlPath().orElseThrow();

    ExecResult check = ssh(controlPath, "-O", "check", "server");

    assertThat(check.exitCode()).isZero();
    assertThat(check.stderr()).startsWith("Master running (pid=");
  }

  @Test
  void theCommandLineClientAndExecShareOneConnection(SshMaster master) throws Exception {
    Path controlPath = master.controlPath().orElseThrow();

    String viaCommandLine = ssh(controlPath, "server", "echo $SSH_CONNECTION").stdout().strip();
    String viaExec = master.exec("echo $SSH_CONNECTION").stdout().strip();

    // "client-ip client-port server-ip server-port": the same client end means the same TCP
    // connection.
    assertThat(viaCommandLine).isNotEmpty().isEqualTo(viaExec);
    assertThat(master).usedSingleTcpConnection();
  }

  /** Runs the system's ssh client as a test would: the control socket is all it needs. */
  private static ExecResult ssh(Path controlPath, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("ssh", "-S", controlPath.toString(), "-o", "BatchMode=yes"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("ssh did not finish within 30 s: " + command);
    }
    return new ExecResult(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
