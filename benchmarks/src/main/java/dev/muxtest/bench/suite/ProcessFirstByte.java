package dev.muxtest.bench.suite;

import dev.muxtest.ExecResult;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshMaster;
import dev.muxtest.bench.MeasurementException;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.setup.Testbed;
import java.util.List;
import java.util.Optional;

/**
 * Start-to-first-byte of a long-running process ({@link SshMaster#start(String)} of {@code echo x},
 * until the first byte of its stdout arrives) against {@code exec} of the same command over the
 * same master, in the same run: the price of handing the streams to the test instead of collecting
 * the output. {@code process.firstByte} on the MINA engine's master, {@code
 * process.firstByte.openssh} on the OpenSSH engine's.
 */
public final class ProcessFirstByte implements Benchmark {

  private static final String COMMAND = "echo x";

  private final RunPlan plan;
  private final Testbed bed;

  /** Measures on {@code bed}'s masters. */
  public ProcessFirstByte(RunPlan plan, Testbed bed) {
    this.plan = plan;
    this.bed = bed;
  }

  @Override
  public String name() {
    return "process first byte";
  }

  @Override
  public List<String> figureIds() {
    return List.of("process.firstByte", "process.firstByte.openssh");
  }

  @Override
  public void run(Results results) throws Exception {
    results.add(
        Benchmark.attempt(
            "process.firstByte", () -> figure("process.firstByte", "MINA", bed.mina().master())));
    results.add(
        Benchmark.attempt(
            "process.firstByte.openssh",
            () -> figure("process.firstByte.openssh", "OpenSSH", bed.openSsh().master())));
  }

  private Figure figure(String id, String engine, SshMaster master) throws Exception {
    List<Samples> s =
        RoundRobin.sampleInBlocks(
            List.of(() -> firstByteMillis(master), Probe.millisOf(() -> exec(master))),
            plan.execWarmup(),
            plan.execRuns(),
            ExecLatency.BLOCK);
    return Figure.measured(
        id,
        "First byte of a process started over the " + engine + " engine's master",
        Measure.of(s.get(0), "ms"),
        "exec of the same command over the same master, until it ended",
        Measure.of(s.get(1), "ms"),
        Better.LOWER,
        Optional.empty(),
        "command: "
            + COMMAND
            + "; start() until the first byte of stdout (the process then waited for and closed,"
            + " untimed), against exec() whole; blocks of "
            + ExecLatency.BLOCK
            + " of each in turn, after a warm-up");
  }

  /** Milliseconds from {@code start} to the first byte; the process is then ended, untimed. */
  private static double firstByteMillis(SshMaster master) throws Exception {
    long begin = System.nanoTime();
    try (RemoteProcess process = master.start(COMMAND)) {
      int first = process.stdout().read();
      double millis = (System.nanoTime() - begin) / 1e6;
      if (first != 'x') {
        throw new MeasurementException("the process's first byte was " + first + ", not 'x'");
      }
      int status = process.waitFor(Testbed.TIMEOUT);
      if (status != 0) {
        throw new MeasurementException("'" + COMMAND + "' as a process exited with " + status);
      }
      return millis;
    }
  }

  private static void exec(SshMaster master) throws MeasurementException {
    ExecResult result = master.exec(COMMAND, Testbed.TIMEOUT);
    if (result.exitCode() != 0 || !result.stdout().equals("x\n")) {
      throw new MeasurementException(
          "'" + COMMAND + "' exited with " + result.exitCode() + ": " + result.stderr().strip());
    }
  }
}
