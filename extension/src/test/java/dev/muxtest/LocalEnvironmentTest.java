package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.EmbeddedEndpoint;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The environment given to {@code exec} is the server's alone (security review 2, R3-1): on the
 * OpenSSH engine it was also the environment of the local {@code ssh} process, so that {@code
 * LD_PRELOAD} ran a library on the test machine. Names a local client or its loader reads are now
 * refused on both engines, whatever the allow list setting says; other names need the allow list.
 * The embedded server refuses {@code LD_*} env requests itself, so whatever the loader variables do
 * here, they do in a local process.
 */
class LocalEnvironmentTest {

  private static final String ALLOW = "muxtest.exec.environment.allow";

  /**
   * Everything a local client, its loader or its libraries read, in the forms the setting takes.
   */
  private static final String EVERYTHING_LOCAL =
      "LD_*,DYLD_*,GLIBC_TUNABLES,MALLOC_*,SHELL,PATH,HOME,TMPDIR,SSH_*,OPENSSL_*,GCONV_PATH,"
          + "LOCALDOMAIN,RES_OPTIONS,HOSTALIASES";

  static final EmbeddedSshServer server = new EmbeddedSshServer();

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  /**
   * {@code LD_DEBUG} with {@code LD_DEBUG_OUTPUT} makes the dynamic loader of any process that has
   * them write {@code <file>.<pid>}: a marker that a local process got the variables.
   */
  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void loaderVariablesAreRefusedAndNothingIsLoadedLocally(Engine engine, @TempDir Path markers)
      throws IOException {
    try (EngineMaster master = connect(engine, Optional.empty())) {
      Throwable thrown =
          catchExec(
              master,
              Map.of("LD_DEBUG", "libs", "LD_DEBUG_OUTPUT", markers.resolve("lddebug").toString()));

      assertThat(markersIn(markers)).as("files the local dynamic loader wrote").isEmpty();
      assertThat(thrown)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageMatching(
              "exec: environment variable 'LD_DEBUG(_OUTPUT)?' is never sent: a local ssh client,"
                  + " its loader or its libraries read it .*");
      assertThat(master.exec("echo fine").stdout()).isEqualTo("fine\n");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void whatALocalClientReadsIsRefusedEvenWhenTheSettingAllowsIt(Engine engine) {
    try (EngineMaster master = connect(engine, Optional.of(EVERYTHING_LOCAL))) {
      for (String name :
          List.of(
              "LD_PRELOAD",
              "LD_AUDIT",
              "LD_LIBRARY_PATH",
              "DYLD_INSERT_LIBRARIES",
              "GLIBC_TUNABLES",
              "MALLOC_CHECK_",
              "SHELL",
              "PATH",
              "HOME",
              "TMPDIR",
              "SSH_AUTH_SOCK",
              "SSH_ASKPASS",
              "OPENSSL_CONF",
              "GCONV_PATH",
              "LOCALDOMAIN",
              "RES_OPTIONS",
              "HOSTALIASES")) {
        assertThat(catchExec(master, Map.of(name, "/nonexistent/muxtest")))
            .as("environment variable %s", name)
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("exec: environment variable '" + name + "' is never sent")
            .hasMessageContaining(ALLOW);
      }
      assertThat(master.exec("echo fine").stdout()).isEqualTo("fine\n");
    }
  }

  /**
   * By default only what the reference sshd accepts may be sent; the setting adds names and
   * prefixes, and the server still decides what it takes (the embedded server: LANG, LC_*,
   * MUXTEST_*).
   */
  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void namesOutsideTheAllowListAreRefusedAndTheSettingAddsNames(Engine engine) {
    try (EngineMaster master = connect(engine, Optional.empty())) {
      assertThat(catchExec(master, Map.of("APP_MODE", "test")))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "exec: environment variable 'APP_MODE' is not allowed: only LANG, LC_*, MUXTEST_*"
                  + " (add names or PREFIX_* patterns to "
                  + ALLOW
                  + ")");
      assertThat(
              master
                  .exec(
                      "printf '[%s][%s]' \"$LANG\" \"$MUXTEST_A\"",
                      Map.of("LANG", "C.UTF-8", "MUXTEST_A", "a b"))
                  .stdout())
          .isEqualTo("[C.UTF-8][a b]");
    }
    try (EngineMaster master = connect(engine, Optional.of("APP_*, TZ"))) {
      ExecResult sent =
          master.exec(
              "printf '[%s][%s][%s]' \"${APP_MODE-unset}\" \"${TZ-unset}\" \"$MUXTEST_A\"",
              Map.of("APP_MODE", "test", "TZ", "UTC", "MUXTEST_A", "a"));

      assertThat(sent.exitCode()).as("stderr: %s", sent.stderr()).isZero();
      assertThat(sent.stdout()).as("the server's AcceptEnv decides").isEqualTo("[unset][unset][a]");
    }
  }

  /**
   * With ControlMaster NO each command is an ssh connection of its own; its environment still goes
   * as SetEnv, values verbatim, and nothing of it into the local process.
   */
  @Test
  void withoutAMasterTheEnvironmentStillGoesToTheServerOnly(@TempDir Path markers)
      throws IOException {
    String special = "it's \"quoted\" $HOME `date` \\ end";
    try (EngineMaster master =
        Masters.connect(
            new EmbeddedEndpoint(server),
            MasterOptions.defaults().withEngine(Engine.OPENSSH).withControlMaster(ControlMaster.NO),
            Settings.from(key -> Optional.empty()))) {
      ExecResult sent =
          master.exec(
              "printf '[%s][%s]' \"$MUXTEST_A\" \"$LC_ALL\"",
              Map.of("MUXTEST_A", special, "LC_ALL", "C"));
      assertThat(sent.stdout()).as("stderr: %s", sent.stderr()).isEqualTo("[" + special + "][C]");
      assertThat(
              catchExec(
                  master,
                  Map.of(
                      "LD_DEBUG",
                      "libs",
                      "LD_DEBUG_OUTPUT",
                      markers.resolve("lddebug").toString())))
          .isExactlyInstanceOf(IllegalArgumentException.class);
      assertThat(markersIn(markers)).as("files the local dynamic loader wrote").isEmpty();
    }
  }

  private static Throwable catchExec(EngineMaster master, Map<String, String> environment) {
    try {
      master.exec("echo ran remotely", environment);
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  private static List<Path> markersIn(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.toList();
    }
  }

  private static EngineMaster connect(Engine engine, Optional<String> allow) {
    return Masters.connect(
        new EmbeddedEndpoint(server),
        MasterOptions.defaults().withEngine(engine),
        Settings.from(key -> key.equals(ALLOW) ? allow : Optional.empty()));
  }
}
