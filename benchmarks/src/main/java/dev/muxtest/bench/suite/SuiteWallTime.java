package dev.muxtest.bench.suite;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.muxtest.SshdContainer;
import dev.muxtest.bench.Cleanup;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.fixtures.suite.FreshSuiteTest;
import dev.muxtest.bench.fixtures.suite.MuxSuiteTest;
import dev.muxtest.bench.fixtures.suite.SuiteClasses;
import dev.muxtest.bench.fixtures.suite.SuiteWork;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.report.Target;
import dev.muxtest.bench.setup.FreshMinaClient;
import dev.muxtest.bench.setup.Testbed;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.discovery.MethodSelector;

/**
 * The time of a whole suite, as a user feels it: the generated suite ({@link SuiteClasses}, each
 * test one command and one HTTP request through a tunnel) run one class after another in one
 * launcher execution, wall time from start to end.
 *
 * <ul>
 *   <li>{@code suite.class}: muxtest's defaults, no {@code @SshServer}: the extension picks the
 *       server and gives each class its own master.
 *   <li>{@code suite.shared}: the same classes with {@code muxtest.scope=SUITE}: one master (and
 *       one default server) for the run.
 *   <li>Baseline: the same tests each opening a fresh MINA connection to one server started for the
 *       run; its start and stop count, as the muxtest runs' own servers do.
 * </ul>
 *
 * The three runs are taken in turn, round after round, so that drift affects them alike.
 */
public final class SuiteWallTime implements Benchmark {

  private static final Map<String, String> SEQUENTIAL =
      Map.of("junit.jupiter.execution.parallel.enabled", "false");

  private final RunPlan plan;
  private final Cleanup cleanup;
  private final ClassRunner runner = new ClassRunner();

  /** Starts the baseline's server for each of its runs; the extension starts the others'. */
  public SuiteWallTime(RunPlan plan, Cleanup cleanup) {
    this.plan = plan;
    this.cleanup = cleanup;
  }

  @Override
  public String name() {
    return "whole suite";
  }

  @Override
  public List<String> figureIds() {
    return List.of("suite.class", "suite.shared");
  }

  /** One way of running the suite: its samples, the servers its tests saw, or why it failed. */
  private static final class Variant {
    final String id;
    final double[] seconds;
    int runs;
    int servers;
    Exception failure;

    Variant(String id, int runs) {
      this.id = id;
      this.seconds = new double[runs];
    }

    void measure(Probe probe) {
      if (failure != null) {
        return;
      }
      try {
        SuiteWork.takeServerCount();
        seconds[runs++] = probe.sample() / 1000;
        servers = SuiteWork.takeServerCount();
      } catch (Exception e) {
        e.printStackTrace();
        failure = e;
      }
    }

    Optional<Measure> measured() {
      return failure == null
          ? Optional.of(Measure.median(Samples.of(Arrays.copyOf(seconds, runs)), "s"))
          : Optional.empty();
    }
  }

  @Override
  public void run(Results results) {
    int tests = plan.suiteClasses() * plan.suiteTestsPerClass();
    List<MethodSelector> mux = selectors(SuiteClasses.mux(plan.suiteClasses()), MuxSuiteTest.class);
    List<MethodSelector> fresh =
        selectors(SuiteClasses.fresh(plan.suiteClasses()), FreshSuiteTest.class);
    Map<String, String> suiteScope = new HashMap<>(SEQUENTIAL);
    suiteScope.put("muxtest.scope", "SUITE");

    Variant baseline = new Variant("baseline", plan.suiteRuns());
    Variant perClass = new Variant("suite.class", plan.suiteRuns());
    Variant shared = new Variant("suite.shared", plan.suiteRuns());
    for (int round = 0; round < plan.suiteRuns(); round++) {
      baseline.measure(Probe.millisOf(() -> runBaseline(fresh, tests)));
      if (baseline.failure != null) {
        break; // without the baseline no ratio: the muxtest runs are not worth their time
      }
      perClass.measure(Probe.millisOf(() -> runner.millis("suite.class", mux, SEQUENTIAL, tests)));
      shared.measure(Probe.millisOf(() -> runner.millis("suite.shared", mux, suiteScope, tests)));
    }

    Optional<Measure> base = baseline.measured();
    String baselineTitle =
        "the same tests, each on a fresh MINA connection (connect, auth, exec, forward, close) "
            + "to one server started for the run";
    results.add(
        figure(
            perClass,
            "Whole suite, muxtest defaults",
            base,
            baselineTitle,
            3,
            "suite.class >= 3x faster than a fresh connection per test"));
    results.add(
        figure(
            shared,
            "Whole suite, muxtest.scope=SUITE (one master)",
            base,
            baselineTitle,
            10,
            "suite.shared >= 10x faster than a fresh connection per test"));
  }

  private Figure figure(
      Variant variant,
      String title,
      Optional<Measure> baseline,
      String baselineTitle,
      double minimumRatio,
      String goal) {
    if (baseline.isEmpty()) {
      return Figure.failed(variant.id, "its baseline, a fresh connection per test, failed");
    }
    if (variant.failure != null) {
      return Figure.failed(variant.id, variant.failure);
    }
    Measure value = variant.measured().orElseThrow();
    int tests = plan.suiteClasses() * plan.suiteTestsPerClass();
    double ratio = baseline.get().value() / value.value();
    return Figure.measured(
        variant.id,
        title,
        value,
        baselineTitle,
        baseline.get(),
        Better.LOWER,
        Optional.of(Target.ratioAtLeast(minimumRatio, ratio, goal)),
        String.format(
            "%d classes x %d tests, one after another in one launcher run, wall time with every"
                + " server's start and stop; %d server(s) answered; wall time per test %.1f ms vs %.1f ms"
                + " (baseline); median of %d run(s)",
            plan.suiteClasses(),
            plan.suiteTestsPerClass(),
            variant.servers,
            value.value() * 1000 / tests,
            baseline.get().value() * 1000 / tests,
            value.samples()));
  }

  /**
   * The baseline: starts one server and the client, runs the suite, closes both; the caller times
   * all of it.
   */
  private void runBaseline(List<MethodSelector> fresh, int tests) throws Exception {
    SshdContainer server = cleanup.register("suite baseline sshd container", new SshdContainer());
    try {
      server.start();
      try (FreshMinaClient client = FreshMinaClient.start(server, Testbed.TIMEOUT)) {
        FreshSuiteTest.use(client);
        runner.millis("suite baseline", fresh, SEQUENTIAL, tests);
      } finally {
        FreshSuiteTest.use(null);
      }
    } finally {
      cleanup.closeNow(server);
    }
  }

  /** test1 to testN of each class, N the plan's tests per class. */
  private List<MethodSelector> selectors(List<Class<?>> classes, Class<?> base) {
    if (plan.suiteTestsPerClass() < 1 || plan.suiteTestsPerClass() > SuiteClasses.TESTS) {
      throw new IllegalArgumentException(
          "The suite's classes have "
              + SuiteClasses.TESTS
              + " tests, not "
              + plan.suiteTestsPerClass());
    }
    List<MethodSelector> selectors = new ArrayList<>();
    for (Class<?> c : classes) {
      for (int t = 1; t <= plan.suiteTestsPerClass(); t++) {
        selectors.add(selectMethod(c, test(base, "test" + t)));
      }
    }
    return selectors;
  }

  private static Method test(Class<?> base, String name) {
    return Arrays.stream(base.getDeclaredMethods())
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(base.getSimpleName() + " has no " + name));
  }
}
