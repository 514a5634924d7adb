package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;

import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.engine.Processes;
import dev.muxtest.internal.engine.Settings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.DockerClientFactory;

/**
 * The "exit" case of OpenSSH's regress/multiplex.sh: after its class, a master is gone. For the
 * OpenSSH engine that means its process has ended, its control socket and private directory are
 * removed, and no process refers to that directory any more.
 */
@Isolated("checks that no client thread of any master is left")
class MasterExitTest {

  private static final Pattern MASTER_PID = Pattern.compile("Master running \\(pid=(\\d+)\\)");

  // Recorded by the fixture while its master is open.
  static volatile SshMaster master;
  static volatile boolean aliveWhileRunning;
  static volatile Path controlPath;
  static volatile boolean socketExistedWhileRunning;
  static volatile Set<PosixFilePermission> directoryPermissions;
  static volatile long masterPid;
  static volatile Set<Long> processesMentioningDirectory;

  @BeforeEach
  void forgetEarlierRuns() {
    master = null;
    aliveWhileRunning = false;
    controlPath = null;
    socketExistedWhileRunning = false;
    directoryPermissions = null;
    masterPid = 0;
    processesMentioningDirectory = null;
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void masterIsGoneAfterItsClass(Engine engine) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            // A container per class: the leak check looks for the fixture's own container.
            .configurationParameter(Settings.DEFAULT_SERVER_SCOPE.name(), "class")
            .selectors(selectClass(ExitCase.class))
            .execute();

    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1).failed(0));
    results.containerEvents().assertStatistics(stats -> stats.failed(0).aborted(0));
    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(1, event(container(ExitCase.class), finishedSuccessfully()));

    assertThat(master).as("master recorded by the fixture").isNotNull();
    assertThat(master.engine()).isEqualTo(engine);
    assertThat(aliveWhileRunning).as("check() while the class ran").isTrue();
    assertThat(master.check()).as("check() after the class").isFalse();
    List<?> containers =
        DockerClientFactory.instance()
            .client()
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(Labels.TEST_CLASS, ExitCase.class.getName()))
            .exec();
    assertThat(containers).as("containers of the fixture").isEmpty();

    if (engine == Engine.MINA) {
      assertThat(controlPath).as("MINA has no control socket").isNull();
      Threads.awaitNoneNamed("sshd-SshClient", Duration.ofSeconds(10));
    } else {
      assertOpenSshMasterGone();
    }
    // SshMaster.exec documents SshOperationException for a command that cannot be started.
    assertThatThrownBy(() -> master.exec("true"))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("is closed");
  }

  private static void assertOpenSshMasterGone() {
    Path directory = controlPath.getParent();
    assertThat(socketExistedWhileRunning).as("control socket while the class ran").isTrue();
    assertThat(directoryPermissions)
        .as("permissions of %s while the class ran", directory)
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    // The probe must have seen the master, or its silence afterwards proves nothing.
    assertThat(processesMentioningDirectory)
        .as("processes mentioning %s while the class ran", directory)
        .contains(masterPid);

    assertThat(Files.exists(controlPath, LinkOption.NOFOLLOW_LINKS))
        .as("%s exists", controlPath)
        .isFalse();
    assertThat(Files.exists(directory, LinkOption.NOFOLLOW_LINKS))
        .as("%s exists", directory)
        .isFalse();
    assertThat(ProcessHandle.of(masterPid).filter(Processes::running))
        .as("master process %d", masterPid)
        .isEmpty();
    assertThat(processesMentioning(directory))
        .as("processes mentioning %s after the class", directory)
        .isEmpty();
  }

  /** PIDs of live processes whose command line contains {@code directory}. */
  static Set<Long> processesMentioning(Path directory) {
    String needle = directory.toString();
    return ProcessHandle.allProcesses()
        .filter(Processes::running)
        .filter(p -> p.info().commandLine().map(line -> line.contains(needle)).orElse(false))
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  /** Runs only through the engine test kit; the engine comes from the configuration parameter. */
  @SshMultiplexing
  static class ExitCase {
    @Test
    void recordsItsMaster(SshMaster injected) throws Exception {
      master = injected;
      aliveWhileRunning = injected.check();
      if (injected.controlPath().isEmpty()) {
        return;
      }
      Path path = injected.controlPath().get();
      controlPath = path;
      socketExistedWhileRunning =
          Files.exists(path, LinkOption.NOFOLLOW_LINKS)
              && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
      directoryPermissions =
          Files.getPosixFilePermissions(path.getParent(), LinkOption.NOFOLLOW_LINKS);
      masterPid = pidOfMaster(path);
      processesMentioningDirectory = processesMentioning(path.getParent());
    }

    /** The master's own answer to {@code ssh -O check}, as any OpenSSH client would ask it. */
    private static long pidOfMaster(Path controlPath) throws Exception {
      Process check =
          new ProcessBuilder(
                  "ssh", "-F", "/dev/null", "-S", controlPath.toString(), "-O", "check", "server")
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .start();
      if (!check.waitFor(30, TimeUnit.SECONDS)) {
        check.destroyForcibly();
        throw new AssertionError("ssh -O check did not finish within 30 s");
      }
      String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Matcher m = MASTER_PID.matcher(output);
      assertThat(m.find()).as("ssh -O check said: %s", output).isTrue();
      return Long.parseLong(m.group(1));
    }
  }
}
