package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.engine.DefaultServerScope;
import dev.muxtest.internal.engine.Settings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.DockerClientFactory;

/**
 * The run's default server: classes that declare no {@code @SshServer} share one container for the
 * run (each with its own master, key and proof), which stops when the run ends; {@code
 * muxtest.defaultServer.scope=class} gives each class its own. The container a class ran on is told
 * by the server itself: Docker sets a container's host name to its short ID.
 */
class RunDefaultServerTest {

  static final Map<Class<?>, String> hostNames = new ConcurrentHashMap<>();
  static final Map<Class<?>, String> keys = new ConcurrentHashMap<>();
  static final Map<Class<?>, String> labels = new ConcurrentHashMap<>();

  /** Both fixture classes meet here: they pass only if they run at the same time. */
  static volatile CyclicBarrier together;

  @BeforeEach
  void reset() {
    hostNames.clear();
    keys.clear();
    labels.clear();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void parallelClassesOfOneRunShareOneContainerEachWithItsOwnKeyAndProof(Engine engine) {
    together = new CyclicBarrier(2);
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter(Settings.ENGINE.name(), engine.name())
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
            .configurationParameter(
                "junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
            .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
            .configurationParameter(
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
            .selectors(selectClass(FirstCase.class), selectClass(SecondCase.class))
            .execute();
    together = null;

    assertAllPass(results, 2);
    String shared = hostNames.get(FirstCase.class);
    assertThat(hostNames.get(SecondCase.class))
        .as("container of the second class")
        .isEqualTo(shared);
    assertThat(labels.get(FirstCase.class))
        .as("labels of the shared container")
        .contains(Labels.RUN_DEFAULT + "=run");
    assertThat(keys.get(FirstCase.class)).isNotEqualTo(keys.get(SecondCase.class));
    // Each class's proof: its own key, one login on each side, though the server saw both keys.
    Map<Class<?>, String> proofs = connectionEntries(results);
    assertThat(proofs)
        .containsOnlyKeys(FirstCase.class, SecondCase.class)
        .containsEntry(FirstCase.class, oneConnectionWith(keys.get(FirstCase.class)))
        .containsEntry(SecondCase.class, oneConnectionWith(keys.get(SecondCase.class)));
    assertGone(shared);
  }

  @Test
  void scopeClassGivesEachClassItsOwnContainer() {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter(Settings.DEFAULT_SERVER_SCOPE.name(), "class")
            .selectors(selectClass(ThirdCase.class), selectClass(FourthCase.class))
            .execute();

    assertAllPass(results, 2);
    assertThat(hostNames.get(ThirdCase.class)).isNotEqualTo(hostNames.get(FourthCase.class));
    assertThat(labels.get(ThirdCase.class))
        .contains(Labels.TEST_CLASS + "=" + ThirdCase.class.getName());
    assertThat(connectionEntries(results))
        .containsEntry(ThirdCase.class, oneConnectionWith(keys.get(ThirdCase.class)))
        .containsEntry(FourthCase.class, oneConnectionWith(keys.get(FourthCase.class)));
    assertGone(hostNames.get(ThirdCase.class));
    assertGone(hostNames.get(FourthCase.class));
  }

  @Test
  void aBadScopeFailsTheClassNamingKeyAndValue() {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter(Settings.DEFAULT_SERVER_SCOPE.name(), "suite")
            .selectors(selectClass(ThirdCase.class))
            .execute();

    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container(ThirdCase.class),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class),
                    message(
                        "Configuration parameter 'muxtest.defaultServer.scope' must be run or"
                            + " class, but was 'suite'"))));
    results.testEvents().assertStatistics(stats -> stats.started(0));
    assertThat(hostNames).as("no class ran").isEmpty();
  }

  @Test
  void theScopeIsRunUnlessSetAndAcceptsAnyCase() {
    assertThat(Settings.DEFAULT_SERVER_SCOPE.read(key -> Optional.empty()))
        .isEqualTo(DefaultServerScope.RUN);
    assertThat(Settings.DEFAULT_SERVER_SCOPE.read(key -> Optional.of(" CLASS ")))
        .isEqualTo(DefaultServerScope.CLASS);
    assertThat(Settings.DEFAULT_SERVER_SCOPE.read(key -> Optional.of("Run")))
        .isEqualTo(DefaultServerScope.RUN);
    assertThatThrownBy(() -> Settings.DEFAULT_SERVER_SCOPE.read(key -> Optional.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Configuration parameter 'muxtest.defaultServer.scope' must be run or class, but was ''");
  }

  private static String oneConnectionWith(String key) {
    return "client TCP connections: 1, server authenticated connections: 1, key " + key;
  }

  /** The container of that short ID no longer exists, stopped or not. */
  private static void assertGone(String shortId) {
    assertThat(shortId).as("container host name").matches("[0-9a-f]{12}");
    assertThatThrownBy(
            () -> DockerClientFactory.instance().client().inspectContainerCmd(shortId).exec())
        .as("container %s after the run", shortId)
        .isInstanceOf(NotFoundException.class);
  }

  /** What each class published as muxtest.connections (its end-of-class proof). */
  private static Map<Class<?>, String> connectionEntries(EngineExecutionResults results) {
    Map<Class<?>, String> entries = new ConcurrentHashMap<>();
    results.containerEvents().reportingEntryPublished().stream()
        .forEach(
            e -> {
              String value =
                  e.getRequiredPayload(ReportEntry.class)
                      .getKeyValuePairs()
                      .get("muxtest.connections");
              e.getTestDescriptor()
                  .getSource()
                  .filter(ClassSource.class::isInstance)
                  .map(s -> ((ClassSource) s).getJavaClass())
                  .ifPresent(c -> entries.merge(c, value, (a, b) -> a + " | " + b));
            });
    return entries;
  }

  private static void assertAllPass(EngineExecutionResults results, int tests) {
    List<Throwable> failures =
        results.allEvents().failed().stream()
            .flatMap(
                e ->
                    e
                        .getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable)
                        .stream())
            .toList();
    assertThat(failures).as("failures").isEmpty();
    results.testEvents().assertStatistics(stats -> stats.succeeded(tests).skipped(0));
  }

  /** Records the container it ran on, its key and the container's labels. */
  static void record(Class<?> fixture, SshMaster master) throws Exception {
    String hostName = master.exec("hostname").stdout().strip();
    hostNames.put(fixture, hostName);
    keys.put(fixture, master.connectionReport().keyFingerprint());
    labels.put(
        fixture,
        String.valueOf(
            DockerClientFactory.instance()
                .client()
                .inspectContainerCmd(hostName)
                .exec()
                .getConfig()
                .getLabels()));
    CyclicBarrier barrier = together;
    if (barrier != null) {
      barrier.await(60, TimeUnit.SECONDS);
    }
  }

  @SshMultiplexing
  static class FirstCase {
    @org.junit.jupiter.api.Test
    void runs(SshMaster master) throws Exception {
      record(FirstCase.class, master);
    }
  }

  @SshMultiplexing
  static class SecondCase {
    @org.junit.jupiter.api.Test
    void runs(SshMaster master) throws Exception {
      record(SecondCase.class, master);
    }
  }

  @SshMultiplexing
  static class ThirdCase {
    @org.junit.jupiter.api.Test
    void runs(SshMaster master) throws Exception {
      record(ThirdCase.class, master);
    }
  }

  @SshMultiplexing
  static class FourthCase {
    @org.junit.jupiter.api.Test
    void runs(SshMaster master) throws Exception {
      record(FourthCase.class, master);
    }
  }
}
