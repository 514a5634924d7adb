package dev.muxtest.bench.suite;

import dev.muxtest.SshdContainer;
import dev.muxtest.bench.Cleanup;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.fixtures.FixtureServer;
import dev.muxtest.bench.fixtures.OwnServerFixture;
import dev.muxtest.bench.fixtures.PlainFixture;
import dev.muxtest.bench.fixtures.SharedServerFixture;
import dev.muxtest.bench.fixtures.SharedServerOpenSshFixture;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.report.Target;
import java.util.List;
import java.util.Optional;

/**
 * The extension's own cost per test class: a small fixture class run through the JUnit Platform
 * launcher, on a shared running server (the extension's work alone) and with a default container
 * that the extension starts and stops for the class; the baselines are the same class shape without
 * the extension, and the shared-server run. Each figure is measured on its own, so that one
 * engine's failure leaves the others' figures.
 */
public final class ExtensionCost implements Benchmark {

  /** Issue 14's per-class targets on a running server: the extension's own cost. */
  private static final double MINA_COST_MS = 100;

  private static final double OPENSSH_COST_MS = 200;

  private static final int TESTS_PER_FIXTURE = 2;

  private final RunPlan plan;
  private final Cleanup cleanup;
  private final ClassRunner runner = new ClassRunner();

  /** Starts its own shared server when run. */
  public ExtensionCost(RunPlan plan, Cleanup cleanup) {
    this.plan = plan;
    this.cleanup = cleanup;
  }

  @Override
  public String name() {
    return "extension cost per class";
  }

  @Override
  public List<String> figureIds() {
    return List.of("class.mina", "class.openssh", "class.container");
  }

  @Override
  public void run(Results results) throws Exception {
    SshdContainer server = cleanup.register("fixture sshd container", new SshdContainer());
    try {
      server.start();
      FixtureServer.use(server);
      Figure mina =
          Benchmark.attempt(
              "class.mina",
              () ->
                  onRunningServer(
                      "class.mina",
                      "Test class on the MINA engine, running server",
                      SharedServerFixture.class,
                      MINA_COST_MS));
      results.add(mina);
      results.add(
          Benchmark.attempt(
              "class.openssh",
              () ->
                  onRunningServer(
                      "class.openssh",
                      "Test class on the OpenSSH engine, running server",
                      SharedServerOpenSshFixture.class,
                      OPENSSH_COST_MS)));
      results.add(
          mina.ok()
              ? Benchmark.attempt("class.container", () -> withOwnContainer(mina.value()))
              : Figure.failed("class.container", "its baseline, class.mina, failed"));
    } finally {
      cleanup.closeNow(server);
    }
  }

  /**
   * {@code fixture} on the running server, in turn with the same class shape without the extension.
   */
  private Figure onRunningServer(String id, String title, Class<?> fixture, double targetMs)
      throws Exception {
    List<Samples> s =
        RoundRobin.sample(
            List.of(
                () -> runner.millis(PlainFixture.class, TESTS_PER_FIXTURE),
                () -> runner.millis(fixture, TESTS_PER_FIXTURE)),
            plan.classWarmup(),
            plan.classRuns());
    Measure plain = Measure.of(s.get(0), "ms");
    Measure withExtension = Measure.of(s.get(1), "ms");
    double cost = withExtension.value() - plain.value();
    return Figure.measured(
        id,
        title,
        withExtension,
        "the same class without the extension",
        plain,
        Better.LOWER,
        Optional.of(
            Target.below(
                targetMs,
                cost,
                "ms",
                String.format("extension cost per class on a running server < %.0f ms", targetMs))),
        String.format(
            "2 tests, 1 tunnel; the extension's own cost (median difference): %.1f ms", cost));
  }

  /**
   * The class whose container the extension starts and stops, against the running-server figure.
   */
  private Figure withOwnContainer(Measure onRunningServer) throws Exception {
    Samples own =
        RoundRobin.sample(
                List.of(() -> runner.millis(OwnServerFixture.class, TESTS_PER_FIXTURE)),
                0,
                plan.containerClassRuns())
            .get(0);
    Measure withContainer = Measure.of(own, "ms");
    return Figure.measured(
        "class.container",
        "Test class with its own container (MINA engine)",
        withContainer,
        "the same class on a running server",
        onRunningServer,
        Better.LOWER,
        Optional.empty(),
        String.format(
            "container started and stopped by the extension for the class: about %.0f ms of it",
            withContainer.value() - onRunningServer.value()));
  }
}
