package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad arguments to a master are refused alike on both engines, with an {@link
 * IllegalArgumentException} naming the argument, before anything reaches the server: a blank
 * command, a bad timeout, environment names that OpenSSH would take as patterns over the JVM's own
 * environment, forward hosts and ports out of range, and remote forwards to anything but the test
 * machine's loopback.
 */
class EngineInputTest {

  /** Accepts every variable a client sends: only the client decides what reaches the server. */
  static final SshdContainer server = new SshdContainer().withSshdOption("AcceptEnv", "*");

  /** Variables the server or the shell set themselves, whatever the client sends. */
  private static final Set<String> SET_BY_THE_SERVER =
      Set.of("HOME", "PATH", "USER", "LOGNAME", "SHELL", "MAIL", "PWD", "OLDPWD", "SHLVL", "_");

  /** Names the allow list can never allow. */
  private static final Pattern READ_BY_A_LOCAL_CLIENT =
      Pattern.compile(
          "(LD_|DYLD_|MALLOC_|SSH_|OPENSSL_).*|GLIBC_TUNABLES|SHELL|PATH|HOME|TMPDIR|GCONV_PATH"
              + "|LOCALDOMAIN|RES_OPTIONS|HOSTALIASES");

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
  void environmentNamesThatAreNotPlainNamesAreRefused(Engine engine) {
    try (EngineMaster master = connect(engine)) {
      for (String name : new String[] {"*", "LC_*", "MUXTEST_*", "A B", "A=B", "", "-X", "1A"}) {
        assertThatThrownBy(() -> master.exec("true", Map.of(name, "1")))
            .as("environment name '%s'", name)
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("environment variable name '" + name + "'");
      }
      Map<String, String> nullName = new HashMap<>();
      nullName.put(null, "1");
      assertThatThrownBy(() -> master.exec("true", nullName))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("environment variable name null");
      Map<String, String> nullValue = new HashMap<>();
      nullValue.put("MUXTEST_X", null);
      assertThatThrownBy(() -> master.exec("true", nullValue))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'MUXTEST_X' must not have a null value");
      assertThatThrownBy(() -> master.exec("true", Map.of("MUXTEST_X", "a\0b")))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'MUXTEST_X' contains a NUL character")
          .hasMessageNotContaining("a\0b");
      assertThatThrownBy(() -> master.exec("true", (Map<String, String>) null))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("exec: environment must not be null");

      // The refusals cost the master nothing.
      assertThat(master.exec("echo $MUXTEST_X", Map.of("MUXTEST_X", "ok")).stdout())
          .isEqualTo("ok\n");
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  /**
   * The server here accepts any variable, so whatever the client sends shows: only the variables
   * asked for, never one of the test JVM's own environment (which the OpenSSH engine's ssh client
   * inherits).
   */
  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void nothingOfTheJvmsOwnEnvironmentReachesTheServer(Engine engine) {
    Map<String, String> jvmOnly =
        System.getenv().entrySet().stream()
            .filter(e -> !SET_BY_THE_SERVER.contains(e.getKey()))
            .filter(e -> e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") && !e.getValue().isBlank())
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
    assertThat(jvmOnly)
        .as("variables of the test JVM's environment to look for (the build exports some)")
        .isNotEmpty();

    try (EngineMaster master = connect(engine)) {
      String remote = master.exec("env", Map.of("MUXTEST_X", "1")).stdout();

      assertThat(remote.lines()).contains("MUXTEST_X=1");
      Map<String, String> leaked = new TreeMap<>();
      jvmOnly.forEach(
          (name, value) -> {
            if (remote.lines().anyMatch(line -> line.equals(name + "=" + value))) {
              leaked.put(name, value);
            }
          });
      assertThat(leaked.keySet()).as("JVM variables visible on the server").isEmpty();
      // The server's HOME and PATH are its own too.
      assertThat(master.exec("echo \"${HOME-unset}:${PATH-unset}\"", Map.of("MUXTEST_X", "1")))
          .extracting(ExecResult::stdout)
          .isNotEqualTo(System.getenv("HOME") + ":" + System.getenv("PATH") + "\n");
    }
    // A variable of the JVM's environment, asked for by name (and allowed), carries the value asked
    // for. Names a local client reads are refused whatever the allow list says
    // (LocalEnvironmentTest).
    String name =
        jvmOnly.keySet().stream()
            .filter(n -> !READ_BY_A_LOCAL_CLIENT.matcher(n).matches())
            .findFirst()
            .orElseThrow();
    try (EngineMaster master =
        Masters.connect(
            new ContainerEndpoint(server),
            MasterOptions.defaults().withEngine(engine),
            Settings.from(
                key ->
                    key.equals("muxtest.exec.environment.allow")
                        ? Optional.of(name)
                        : Optional.empty()))) {
      assertThat(master.exec("printenv " + name, Map.of(name, "from-the-test")).stdout())
          .isEqualTo("from-the-test\n");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void commandsAndTimeoutsAreChecked(Engine engine) {
    try (EngineMaster master = connect(engine)) {
      assertRefused(() -> master.exec(null), "exec: command must not be null");
      assertRefused(() -> master.exec(""), "exec: command must not be blank");
      assertRefused(() -> master.exec(" \t\n"), "exec: command must not be blank");
      assertRefused(() -> master.exec("", Map.of()), "exec: command must not be blank");
      assertRefused(
          () -> master.exec("echo a\0b"), "exec: command must not contain a NUL character");
      assertRefused(
          () -> master.exec("true", (Duration) null),
          "exec: timeout must be positive, but was null");
      assertRefused(
          () -> master.exec("true", Duration.ZERO), "exec: timeout must be positive, but was PT0S");
      assertRefused(
          () -> master.exec("true", Duration.ofSeconds(-1)),
          "exec: timeout must be positive, but was PT-1S");
      assertRefused(
          () -> master.exec("true", Duration.ofSeconds(Long.MAX_VALUE)),
          "exec: timeout must be at most 24h, but was PT2562047788015215H30M7S");

      assertThat(master.exec("echo fine", Duration.ofHours(24)).stdout()).isEqualTo("fine\n");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void forwardHostsAndPortsAreChecked(Engine engine) {
    try (EngineMaster master = connect(engine)) {
      assertRefused(() -> master.forwardLocal(null, 80), "forwardLocal: host must not be null");
      assertRefused(() -> master.forwardLocal("", 80), "forwardLocal: host must not be blank");
      assertRefused(() -> master.forwardLocal(" ", 80), "forwardLocal: host must not be blank");
      // sshd takes a NUL in a direct-tcpip host as a malformed packet and drops the connection.
      assertRefused(
          () -> master.forwardLocal("localhost\0.example", 80),
          "forwardLocal: host must not contain control characters, but has U+0000" + " at index 9");
      assertRefused(
          () -> master.forwardLocal("db\n", 80),
          "forwardLocal: host must not contain control characters, but has U+000A" + " at index 2");
      assertRefused(
          () -> master.forwardRemote(0, "localhost\0", 80),
          "forwardRemote: host must not contain control characters, but has U+0000"
              + " at index 9");
      assertRefused(
          () -> master.forwardLocal("localhost", 0),
          "forwardLocal: port must be from 1 to 65535, but was 0");
      assertRefused(
          () -> master.forwardLocal("localhost", 65536),
          "forwardLocal: port must be from 1 to 65535, but was 65536");
      assertRefused(
          () -> master.forwardLocal(-1, "localhost", 22),
          "forwardLocal: bindPort must be from 0 to 65535 (0: any free port), but was -1");
      assertRefused(
          () -> master.forwardLocal(70000, "localhost", 22),
          "forwardLocal: bindPort must be from 0 to 65535 (0: any free port), but was 70000");

      assertRefused(
          () -> master.forwardRemote(0, null, 80), "forwardRemote: host must not be null");
      assertRefused(() -> master.forwardRemote(0, "", 80), "forwardRemote: host must not be blank");
      assertRefused(
          () -> master.forwardRemote(0, "localhost", -5),
          "forwardRemote: port must be from 1 to 65535, but was -5");
      assertRefused(
          () -> master.forwardRemote(65536, "localhost", 80),
          "forwardRemote: remotePort must be from 0 to 65535 (0: any free port), but was 65536");
      assertRefused(
          () -> master.forwardRemote(-1, "localhost", 80),
          "forwardRemote: remotePort must be from 0 to 65535 (0: any free port), but was -1");

      assertRefused(
          () -> master.forwardDynamic(65536),
          "forwardDynamic: bindPort must be from 0 to 65535 (0: any free port), but was 65536");

      assertThat(master.openForwards()).as("forwards opened by the refused calls").isEmpty();
      assertThat(master.exec("echo fine").stdout()).isEqualTo("fine\n");
    }
  }

  /** Annotations allow a REMOTE tunnel only to the test machine's loopback; so does the API. */
  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void remoteForwardsLeadOnlyToTheTestMachinesLoopback(Engine engine) {
    EngineMaster closed;
    try (EngineMaster master = connect(engine)) {
      closed = master;
      for (String host :
          new String[] {
            "192.0.2.1", "10.0.0.1", "0.0.0.0", "example.org", "::", "127.0.0.1.nip.io"
          }) {
        assertRefused(
            () -> master.forwardRemote(0, host, 80),
            "forwardRemote: host must be a loopback address of the test machine (localhost,"
                + " 127.0.0.1, ::1), but was '"
                + host
                + "'");
      }
      assertThat(master.openForwards()).isEmpty();

      // Loopback destinations stay allowed.
      try (Forward forward = master.forwardRemote(0, "127.0.0.1", 80)) {
        assertThat(forward.remotePort()).isPositive();
      }
    }
    // Checked before the engine is asked anything: a closed master refuses the same way.
    assertRefused(
        () -> closed.forwardRemote(0, "192.0.2.1", 80),
        "forwardRemote: host must be a loopback address of the test machine");
    assertRefused(() -> closed.exec(""), "exec: command must not be blank");
  }

  private static void assertRefused(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  private static EngineMaster connect(Engine engine) {
    return Masters.connect(
        new ContainerEndpoint(server),
        MasterOptions.defaults().withEngine(engine),
        Settings.from(key -> Optional.empty()));
  }
}
