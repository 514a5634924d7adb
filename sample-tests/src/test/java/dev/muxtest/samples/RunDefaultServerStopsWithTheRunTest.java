package dev.muxtest.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.muxtest.Engine;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.testcontainers.DockerClientFactory;

/**
 * On whatever JUnit line runs it, the default server that the classes of a run share (they declare
 * no {@code @SshServer}) is one container, and it is gone once the launcher's run has returned: the
 * JUnit root store closed it.
 *
 * <p>Each fixture asks the server for its host name, which Docker sets to the container's short ID.
 */
class RunDefaultServerStopsWithTheRunTest {

  /** Configuration parameter set only by this test's launcher: without it, fixtures do not run. */
  static final String FIXTURE_KEY = "dev.muxtest.samples.runDefaultServer";

  static final Map<Class<?>, String> hostNames = new ConcurrentHashMap<>();

  @Test
  void theClassesShareOneContainerThatStopsWhenTheRunEnds() {
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(MinaFixture.class), selectClass(OpenSshFixture.class))
                .configurationParameter(FIXTURE_KEY, "true")
                .build(),
            summary);

    TestExecutionSummary result = summary.getSummary();
    result.getFailures().forEach(failure -> failure.getException().printStackTrace());
    assertThat(result.getTotalFailureCount()).as("failures of the fixture classes").isZero();
    assertThat(result.getTestsSucceededCount()).as("fixture tests passed").isEqualTo(2);
    String shared = hostNames.get(MinaFixture.class);
    assertThat(shared).as("container short ID").matches("[0-9a-f]{12}");
    assertThat(hostNames.get(OpenSshFixture.class))
        .as("the second class's server")
        .isEqualTo(shared);
    assertThatThrownBy(
            () -> DockerClientFactory.instance().client().inspectContainerCmd(shared).exec())
        .as(
            "the run's default container after the run (JUnit Jupiter %s)",
            Test.class.getPackage().getImplementationVersion())
        .isInstanceOf(NotFoundException.class);
  }

  /** Lets the fixtures run only in this test's launcher. */
  static final class OnlyThroughLauncher implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(FIXTURE_KEY).isPresent()
          ? ConditionEvaluationResult.enabled("run by RunDefaultServerStopsWithTheRunTest")
          : ConditionEvaluationResult.disabled("a fixture of RunDefaultServerStopsWithTheRunTest");
    }
  }

  @ExtendWith(OnlyThroughLauncher.class)
  @SshMultiplexing(engine = Engine.MINA)
  static class MinaFixture {
    @Test
    void asksTheServerItsName(SshMaster master) {
      hostNames.put(MinaFixture.class, master.exec("hostname").stdout().strip());
    }
  }

  @ExtendWith(OnlyThroughLauncher.class)
  @SshMultiplexing(engine = Engine.OPENSSH)
  static class OpenSshFixture {
    @Test
    void asksTheServerItsName(SshMaster master) {
      hostNames.put(OpenSshFixture.class, master.exec("hostname").stdout().strip());
    }
  }
}
