package dev.muxtest.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readiness probe of a tunnel to a UNIX socket, run by this machine's own shell as a server's
 * would run it: it connects to a socket whose path is full of shell syntax, and fails naming a path
 * that is no socket, without running anything the path holds.
 */
class UnixConnectProbeTest {

  @TempDir Path directory;

  @Test
  void connectsToASocketWhosePathIsFullOfShellSyntax() throws Exception {
    Path socket = directory.resolve("a'b \"c\" $(touch x) `touch y`;&.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));

      Result result = run(ServerCommands.unixConnect(socket.toString()));

      assertThat(result.exitCode()).as(result.stderr()).isZero();
    }
    assertThat(directory.resolve("x")).doesNotExist();
    assertThat(directory.resolve("y")).doesNotExist();
  }

  @Test
  void failsNamingAPathThatIsNoSocket() throws Exception {
    String missing = directory.resolve("missing $(touch z).sock").toString();

    Result result = run(ServerCommands.unixConnect(missing));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains(missing);
    assertThat(directory.resolve("z")).doesNotExist();
  }

  private record Result(int exitCode, String stderr) {}

  /** As sshd runs a command: the login shell's {@code -c}, in {@link #directory}. */
  private Result run(String command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(List.of("/bin/bash", "-c", command))
            .directory(directory.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), stderr);
  }
}
