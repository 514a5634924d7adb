package dev.muxtest.internal.openssh;

import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.ServerEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Why a master behind jump hosts did not start. The master's ProxyJump ssh writes its errors
 * nowhere once the master goes to the background: a failed start behind jump hosts says only that
 * the connection closed. One plain connection to each jump host alone, from the first hop on, gives
 * the reason of the first that fails (a refused host key, a refused login); when every hop answers,
 * the master's own message is about the server itself.
 */
final class JumpHostDiagnosis {

  private JumpHostDiagnosis() {}

  /**
   * {@code failure}, with the words of the first jump host of {@code server} that refuses a plain
   * connection; {@code failure} itself without jump hosts, or when every hop answers.
   */
  static SshOperationException explain(
      SshOperationException failure,
      ServerEndpoint server,
      MuxClient client,
      Path directory,
      Duration connectTimeout,
      long maxOutput) {
    if (server.jumpHost().isEmpty()) {
      return failure;
    }
    List<ServerEndpoint> jumps = OpenSshConfig.jumpHosts(server);
    for (int hop = 1; hop <= jumps.size(); hop++) {
      try {
        SshCommand.Result jump =
            SshCommand.run(
                client.ssh(
                    List.of(
                        "-o",
                        "ControlMaster=no",
                        "-o",
                        "ControlPath=none",
                        "--",
                        OpenSshConfig.jumpAlias(hop),
                        "true")),
                Map.of(),
                directory,
                connectTimeout.multipliedBy(hop).plusSeconds(5),
                maxOutput);
        if (jump.exitCode() == 0) {
          continue;
        }
        if (jump.stderr().isBlank()) {
          return failure;
        }
        return new SshOperationException(
            failure.getMessage()
                + "\nthe jump host "
                + jumps.get(hop - 1).describe()
                + " alone: "
                + jump.stderr().strip(),
            failure);
      } catch (SshOperationException diagnosisFailed) {
        failure.addSuppressed(diagnosisFailed);
        return failure;
      }
    }
    return failure;
  }
}
