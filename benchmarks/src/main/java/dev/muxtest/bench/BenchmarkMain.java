package dev.muxtest.bench;

import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.RatioChart;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.ResultsFile;
import dev.muxtest.bench.report.SummaryTable;
import dev.muxtest.bench.setup.Testbed;
import dev.muxtest.bench.suite.Benchmark;
import dev.muxtest.bench.suite.ExecLatency;
import dev.muxtest.bench.suite.ExtensionCost;
import dev.muxtest.bench.suite.FileThroughput;
import dev.muxtest.bench.suite.FirstByteLatency;
import dev.muxtest.bench.suite.ForwardThroughput;
import dev.muxtest.bench.suite.HeapPerMaster;
import dev.muxtest.bench.suite.ImageBuildTime;
import dev.muxtest.bench.suite.ParallelStreams;
import dev.muxtest.bench.suite.ProcessFirstByte;
import dev.muxtest.bench.suite.SuiteWallTime;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Runs every benchmark, each against its baseline in the same run, then writes results.json,
 * chart.png and table.md and prints a summary. Exits 1 if any measurement failed, 3 if the run
 * outlasted its deadline.
 *
 * <pre>
 * BenchmarkMain [--smoke | --mode full|smoke] [--out DIR]
 * </pre>
 *
 * The full run writes to {@code results/}, the smoke run to {@code target/benchmark-smoke/}.
 */
public final class BenchmarkMain {

  private BenchmarkMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    String mode = List.of(args).contains("--smoke") ? "smoke" : option(args, "--mode", "full");
    RunPlan plan = RunPlan.named(mode);
    Path out =
        Path.of(option(args, "--out", mode.equals("full") ? "results" : "target/benchmark-smoke"));
    Instant started = Instant.now();
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    startWatchdog(plan);
    log("%s run, writing to %s (load average %.2f)", plan.mode(), out.toAbsolutePath(), load);

    Results results = new Results();
    Cleanup cleanup = Cleanup.withShutdownHook();
    try {
      runDataPath(plan, cleanup, results);
      cleanup.close(); // the data-path server and masters go before the next server starts
      run(new ExtensionCost(plan, cleanup), results);
      run(new SuiteWallTime(plan, cleanup), results);
      run(new ImageBuildTime(plan), results);
    } finally {
      cleanup.close();
    }

    Map<String, Object> metadata = RunMetadata.collect(plan, started, Instant.now(), load);
    metadata.put("observed", results.observed());
    int exit = results.failures() > 0 ? 1 : 0;
    try {
      ResultsFile.write(out.resolve("results.json"), metadata, results.all());
      RatioChart.write(
          out.resolve("chart.png"),
          "muxtest benchmarks: each figure against its baseline, same run",
          subtitle(plan, started, metadata),
          results.all());
      Files.writeString(
          out.resolve("table.md"),
          SummaryTable.markdown(results.all()) + firstUse(results.observed()),
          StandardCharsets.UTF_8);
    } catch (Exception e) {
      System.err.println("[bench] cannot write the results: " + e);
      e.printStackTrace();
      exit = 1;
    }
    System.out.println();
    System.out.print(SummaryTable.text(results.all()));
    System.out.printf(
        "%n%d figures, %d failed; ratio > 1: better than the baseline. Written to %s%n",
        results.all().size(), results.failures(), out.toAbsolutePath());
    System.exit(exit);
  }

  /** The benchmarks that share the data-path server and masters. */
  private static List<Benchmark> dataPath(RunPlan plan, Testbed bed, Cleanup cleanup) {
    return List.of(
        new ExecLatency(plan, bed, cleanup),
        new FirstByteLatency(plan, bed),
        new ForwardThroughput(plan, bed),
        new ParallelStreams(plan, bed),
        new HeapPerMaster(plan, bed, cleanup),
        new ProcessFirstByte(plan, bed),
        new FileThroughput(plan, bed, cleanup));
  }

  private static void runDataPath(RunPlan plan, Cleanup cleanup, Results results) {
    Testbed bed;
    try {
      log("starting the server (%d MiB stream) and a master per engine", plan.streamBytes() >> 20);
      bed = Testbed.open(plan, cleanup);
    } catch (Exception e) {
      e.printStackTrace();
      // Without a testbed none of them can measure: constructed only to name their figures.
      dataPath(plan, null, cleanup)
          .forEach(b -> results.failMissing(b.figureIds(), "set-up failed: " + Figure.describe(e)));
      return;
    }
    dataPath(plan, bed, cleanup).forEach(b -> run(b, results));
  }

  private static void run(Benchmark benchmark, Results results) {
    long start = System.nanoTime();
    log("%s ...", benchmark.name());
    try {
      benchmark.run(results);
      results.failMissing(benchmark.figureIds(), "not measured");
    } catch (Exception e) {
      e.printStackTrace();
      results.failMissing(benchmark.figureIds(), Figure.describe(e));
    }
    log("%s done in %.1f s", benchmark.name(), (System.nanoTime() - start) / 1e9);
  }

  /** The first-use line under the table: the image build time, which has no baseline. */
  private static String firstUse(Map<String, Object> observed) {
    Object seconds = observed.get("sshdImageBuildSeconds");
    return seconds instanceof Number
        ? String.format(
            "%nFirst use on a machine (reported, not a target): building the sshd image without"
                + " the build cache, on a base image already present, took %s s.%n",
            seconds)
        : "";
  }

  private static String subtitle(RunPlan plan, Instant started, Map<String, Object> metadata) {
    @SuppressWarnings("unchecked")
    Map<String, Object> machine = (Map<String, Object>) metadata.get("machine");
    @SuppressWarnings("unchecked")
    Map<String, Object> software = (Map<String, Object>) metadata.get("software");
    return String.format(
        "%s run %s UTC; %s CPUs, %s GiB; %s; MINA SSHD %s; %s",
        plan.mode(),
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC).format(started),
        machine.get("cpus"),
        machine.get("memoryGiB"),
        software.get("opensshClient"),
        software.get("minaSshd"),
        "bars right of 1x beat their baseline");
  }

  /** Ends the JVM (running the cleanup hooks) if the run outlasts its plan's deadline. */
  private static void startWatchdog(RunPlan plan) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(plan.deadline().toMillis());
              } catch (InterruptedException e) {
                return;
              }
              System.err.printf(
                  "[bench] the run outlasted its deadline of %s: ending it%n", plan.deadline());
              System.exit(3);
            },
            "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  static void log(String format, Object... args) {
    System.out.printf("[bench] " + format + "%n", args);
  }
}
