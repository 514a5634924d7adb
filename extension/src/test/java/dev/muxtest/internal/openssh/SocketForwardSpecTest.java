package dev.muxtest.internal.openssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code -L} spec of a forward to a UNIX socket: ssh reads the path back exactly, whatever its
 * colons, backslashes and percent signs, on an ssh that expands {@code %} tokens in it (8.3 and
 * later) and on one that does not.
 */
class SocketForwardSpecTest {

  private static final String PATH = "/run/a:b\\c%d %% e.sock";

  @Test
  void colonsAndBackslashesAreEscapedAndPercentDoubledWhereSshExpandsIt() {
    assertThat(ForwardRequest.toSocket(5432, PATH, true).spec())
        .isEqualTo("127.0.0.1:5432:/run/a\\:b\\\\c%%d %%%% e.sock");
  }

  @Test
  void percentStaysAsItIsWhereSshDoesNotExpandIt() {
    assertThat(ForwardRequest.toSocket(5432, PATH, false).spec())
        .isEqualTo("127.0.0.1:5432:/run/a\\:b\\\\c%d %% e.sock");
  }

  @Test
  void aRequestOnAnotherPortKeepsItsPathAndItsEscaping() {
    ForwardRequest request = ForwardRequest.toSocket(5432, PATH, true);

    assertThat(request.onPort(6000).spec())
        .isEqualTo("127.0.0.1:6000:/run/a\\:b\\\\c%%d %%%% e.sock");
    assertThat(request.flag()).isEqualTo("-L");
  }

  @Test
  void versionsFrom83OnExpandPercent() {
    assertThat(ForwardPathExpansion.expandsPercent("OpenSSH_7.6p1 Ubuntu-4, OpenSSL 1.0.2n"))
        .isFalse();
    assertThat(ForwardPathExpansion.expandsPercent("OpenSSH_8.2p1 Ubuntu-4ubuntu0.11")).isFalse();
    assertThat(ForwardPathExpansion.expandsPercent("OpenSSH_8.3p1")).isTrue();
    assertThat(ForwardPathExpansion.expandsPercent("OpenSSH_9.2p1 Debian-2+deb12u6")).isTrue();
    assertThat(ForwardPathExpansion.expandsPercent("OpenSSH_10.0p2")).isTrue();
    assertThat(ForwardPathExpansion.expandsPercent("no version here")).isTrue();
  }

  @Test
  void theSystemsSshIsAskedItsVersion(@TempDir Path directory) throws Exception {
    Process ssh = new ProcessBuilder("ssh", "-V").redirectErrorStream(true).start();
    String version = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ssh.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(version).startsWith("OpenSSH_");

    assertThat(ForwardPathExpansion.expandsPercent("ssh", directory))
        .isEqualTo(ForwardPathExpansion.expandsPercent(version));
  }
}
