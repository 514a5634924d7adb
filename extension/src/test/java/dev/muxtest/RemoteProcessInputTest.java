package dev.muxtest;

import static dev.muxtest.RemoteProcessConformance.BOUND;
import static dev.muxtest.RemoteProcessConformance.readAll;
import static dev.muxtest.RemoteProcessConformance.readLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@link SshMaster#start(String)} refuses, and what it never does, alike on both engines, on
 * masters opened outside JUnit: bad commands and timeouts are refused with an {@link
 * IllegalArgumentException} naming them, the command goes to the server as it is (never to a local
 * shell, never into ssh's options), and a closed master refuses new processes and ends its own.
 */
class RemoteProcessInputTest {

  static final SshdContainer server = new SshdContainer();

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void badCommandsAndTimeoutsAreRefused(Engine engine) throws Exception {
    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      assertThatThrownBy(() -> master.start(null))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("start: command must not be null");
      assertThatThrownBy(() -> master.start(" \t"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("start: command must not be blank");
      assertThatThrownBy(() -> master.start("echo a\0b"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("start: command must not contain a NUL character");
      assertThatThrownBy(() -> master.startWithTerminal(""))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("startWithTerminal: command must not be blank");

      try (RemoteProcess cat = master.start("cat")) {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofSeconds(-1)}) {
          assertThatThrownBy(() -> cat.waitFor(bad))
              .as("waitFor(%s)", bad)
              .isExactlyInstanceOf(IllegalArgumentException.class)
              .hasMessage("waitFor: timeout must be positive, but was " + bad);
        }
        assertThatThrownBy(() -> cat.waitFor(Duration.ofHours(25)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("waitFor: timeout must be at most 24h, but was PT25H");
        assertThatThrownBy(() -> cat.waitFor(Duration.ofMillis(300)))
            .isExactlyInstanceOf(SshOperationException.class)
            .hasMessageContaining("did not end within PT0.3S")
            .hasMessageEndingWith(": cat");
        assertThat(cat.isAlive()).isTrue(); // a wait that ran out ends nothing
      }
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void theCommandReachesTheServerAsItIs(Engine engine) throws Exception {
    String marker = "/tmp/muxtest-process-" + UUID.randomUUID();
    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      // A shell on the test machine would expand these, and create the file here.
      try (RemoteProcess process = master.start("echo $HOME `id -un`; touch " + marker)) {
        assertThat(readLine(process.stdout())).isEqualTo("/home/tester tester");
        assertThat(process.waitFor(BOUND)).isZero();
      }
      assertThat(Files.exists(Path.of(marker))).as("%s on the test machine", marker).isFalse();
      assertThat(master.exec("test -f " + marker).exitCode()).isZero();

      // Not an option of ssh (whose -V would print its version and exit 0): the server's shell's.
      try (RemoteProcess dashed = master.start("-V")) {
        assertThat(dashed.waitFor(BOUND)).isEqualTo(2);
        assertThat(new String(readAll(dashed.stderr()), StandardCharsets.UTF_8))
            .contains("-V: invalid option")
            .doesNotContain("OpenSSH_");
      }

      // A status stays known after close; a plain process has no terminal, the other one has.
      RemoteProcess seven = master.start("exit 7");
      assertThat(seven.waitFor(BOUND)).isEqualTo(7);
      seven.close();
      assertThat(seven.waitFor(BOUND)).isEqualTo(7);
      try (RemoteProcess plain = master.start("tty")) {
        assertThat(readLine(plain.stdout())).isEqualTo("not a tty");
        assertThat(plain.waitFor(BOUND)).isEqualTo(1);
      }
      try (RemoteProcess terminal = master.startWithTerminal("tty")) {
        assertThat(readLine(terminal.stdout())).startsWith("/dev/pts/");
        assertThat(terminal.waitFor(BOUND)).isZero();
      }
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aClosedMasterRefusesNewProcessesAndEndsItsOwn(Engine engine) throws Exception {
    CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine));
    RemoteProcess running = master.start("cat");
    RemoteProcess terminal = master.startWithTerminal("cat");
    master.close();

    assertThat(running.isAlive()).isFalse();
    assertThat(terminal.isAlive()).isFalse();
    assertThatThrownBy(() -> running.waitFor(BOUND))
        .isExactlyInstanceOf(SshOperationException.class)
        .hasMessageContaining("closed before it ended");
    running.close(); // again: harmless
    assertThatThrownBy(() -> master.start("true"))
        .isExactlyInstanceOf(SshOperationException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> master.startWithTerminal("true"))
        .isExactlyInstanceOf(SshOperationException.class)
        .hasMessageContaining("is closed");
  }
}
