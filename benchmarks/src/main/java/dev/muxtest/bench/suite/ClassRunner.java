package dev.muxtest.bench.suite;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.bench.MeasurementException;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs test classes through the JUnit Platform launcher, as a build tool would, and times the run.
 */
final class ClassRunner {

  private final Launcher launcher = LauncherFactory.create();

  /**
   * Discovers and runs {@code testClass}; returns the wall-clock milliseconds.
   *
   * @throws MeasurementException unless exactly {@code expectedTests} tests ran and all passed
   */
  double millis(Class<?> testClass, int expectedTests) throws MeasurementException {
    return millis(
        testClass.getSimpleName(), List.of(selectClass(testClass)), Map.of(), expectedTests);
  }

  /**
   * Discovers and runs what {@code selectors} select, in one launcher execution with the given
   * configuration parameters; returns the wall-clock milliseconds.
   *
   * @param what names the run in a failure
   * @throws MeasurementException unless exactly {@code expectedTests} tests ran and all passed, and
   *     no class failed
   */
  double millis(
      String what,
      List<? extends DiscoverySelector> selectors,
      Map<String, String> configuration,
      int expectedTests)
      throws MeasurementException {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectors)
            .configurationParameters(configuration)
            .build();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    long start = System.nanoTime();
    launcher.execute(request, listener);
    double elapsed = (System.nanoTime() - start) / 1e6;
    TestExecutionSummary summary = listener.getSummary();
    if (summary.getTotalFailureCount() > 0 || summary.getTestsSucceededCount() != expectedTests) {
      String cause =
          summary.getFailures().stream()
              .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException())
              .findFirst()
              .orElse("no failure reported");
      throw new MeasurementException(
          String.format(
              "%s: %d of %d tests passed, %d failures; first: %s",
              what,
              summary.getTestsSucceededCount(),
              expectedTests,
              summary.getTotalFailureCount(),
              cause));
    }
    return elapsed;
  }
}
