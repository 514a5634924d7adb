package dev.muxtest.bench.suite;

import dev.muxtest.CloseableSshMaster;
import dev.muxtest.ControlMaster;
import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMasters;
import dev.muxtest.bench.Cleanup;
import dev.muxtest.bench.MeasurementException;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.report.Target;
import dev.muxtest.bench.setup.FreshMinaClient;
import dev.muxtest.bench.setup.OpenSshCli;
import dev.muxtest.bench.setup.Testbed;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A command ({@code true}) over a master against the same command on a fresh connection, for the
 * MINA engine, the OpenSSH engine, and the OpenSSH command-line client ({@code ssh -S ctl host
 * true} against {@code ssh host true}).
 */
public final class ExecLatency implements Benchmark {

  private static final String COMMAND = "true";

  /**
   * Commands of one way in a row before the other way's: taken one by one, the tear-down of each
   * fresh connection (the server's session process ending, the client's close) fell into the next
   * command over the master and raised the MINA master's median by 30 to 100% in runs on a 2-CPU
   * machine.
   */
  static final int BLOCK = 10;

  /** The target for a command over the MINA master (the server alone needs about 1.8). */
  static final double MINA_MEDIAN_MS = 3.5;

  /** The target for a command over the OpenSSH engine's master. */
  static final double OPENSSH_MEDIAN_MS = 8;

  private static final String TAKEN =
      "; taken in blocks of " + BLOCK + " commands of each way in turn, after a warm-up";

  private final RunPlan plan;
  private final Testbed bed;
  private final Cleanup cleanup;

  /** Measures on {@code bed}'s masters. */
  public ExecLatency(RunPlan plan, Testbed bed, Cleanup cleanup) {
    this.plan = plan;
    this.bed = bed;
    this.cleanup = cleanup;
  }

  @Override
  public String name() {
    return "command latency";
  }

  @Override
  public List<String> figureIds() {
    return List.of("exec.mina", "exec.openssh", "exec.cli");
  }

  @Override
  public void run(Results results) throws Exception {
    FreshMinaClient fresh =
        cleanup.register("fresh MINA client", FreshMinaClient.start(bed.server(), Testbed.TIMEOUT));
    // The OpenSSH engine without a master: each command is an ssh process with its own connection.
    CloseableSshMaster noMaster =
        cleanup.register(
            "OpenSSH engine without master",
            SshMasters.connect(
                bed.server(),
                MasterOptions.defaults()
                    .withEngine(Engine.OPENSSH)
                    .withControlMaster(ControlMaster.NO)));
    OpenSshCli cli =
        cleanup.register("OpenSSH CLI", OpenSshCli.create(bed.server(), Testbed.TIMEOUT));
    try {
      results.note("minaNegotiated", fresh.negotiated());
      results.note("opensshNegotiated", cli.negotiated());
      SshMaster mina = bed.mina().master();
      SshMaster openSsh = bed.openSsh().master();
      Path controlPath = openSsh.controlPath().orElseThrow();

      results.add(
          Benchmark.attempt(
              "exec.mina",
              () -> {
                List<Samples> s =
                    alternate(
                        () -> succeeded(mina.exec(COMMAND, Testbed.TIMEOUT)),
                        () -> fresh.execFresh(COMMAND));
                Measure over = Measure.of(s.get(0), "ms");
                Measure baseline = Measure.of(s.get(1), "ms");
                return Figure.measured(
                    "exec.mina",
                    "Command over the MINA master",
                    over,
                    "a fresh MINA connection (handshake, auth) per command",
                    baseline,
                    Better.LOWER,
                    Optional.of(
                        Target.both(
                            Target.ratioAtLeast(
                                20,
                                baseline.value() / over.value(),
                                ">= 20x faster than a fresh connection"),
                            Target.atMost(MINA_MEDIAN_MS, over.value(), "ms", "<= 3.5 ms median"))),
                    "command: " + COMMAND + TAKEN);
              }));
      results.add(
          Benchmark.attempt(
              "exec.openssh",
              () -> {
                List<Samples> s =
                    alternate(
                        () -> succeeded(openSsh.exec(COMMAND, Testbed.TIMEOUT)),
                        () -> succeeded(noMaster.exec(COMMAND, Testbed.TIMEOUT)));
                Measure over = Measure.of(s.get(0), "ms");
                return Figure.measured(
                    "exec.openssh",
                    "Command over the OpenSSH engine's master",
                    over,
                    "the OpenSSH engine with ControlMaster NO (an ssh connection per command)",
                    Measure.of(s.get(1), "ms"),
                    Better.LOWER,
                    Optional.of(
                        Target.atMost(OPENSSH_MEDIAN_MS, over.value(), "ms", "<= 8 ms median")),
                    "command: " + COMMAND + "; both spawn one ssh process per command" + TAKEN);
              }));
      results.add(
          Benchmark.attempt(
              "exec.cli",
              () -> {
                List<Samples> s =
                    alternate(
                        () -> cli.runOverMaster(controlPath, COMMAND), () -> cli.runFresh(COMMAND));
                return Figure.measured(
                    "exec.cli",
                    "ssh -S ctl host true (OpenSSH CLI on the master)",
                    Measure.of(s.get(0), "ms"),
                    "ssh host true (a fresh connection)",
                    Measure.of(s.get(1), "ms"),
                    Better.LOWER,
                    Optional.empty(),
                    "the engine's control socket, used by the plain ssh client" + TAKEN);
              }));
    } finally {
      cleanup.closeNow(cli);
      cleanup.closeNow(noMaster);
      cleanup.closeNow(fresh);
    }
  }

  /** Milliseconds of {@code overMaster} and {@code fresh}, in blocks of {@link #BLOCK} in turn. */
  private List<Samples> alternate(Probe.Action overMaster, Probe.Action fresh) throws Exception {
    return RoundRobin.sampleInBlocks(
        List.of(Probe.millisOf(overMaster), Probe.millisOf(fresh)),
        plan.execWarmup(),
        plan.execRuns(),
        BLOCK);
  }

  private static void succeeded(ExecResult result) throws MeasurementException {
    if (result.exitCode() != 0) {
      throw new MeasurementException(
          "'" + COMMAND + "' exited with " + result.exitCode() + ": " + result.stderr().strip());
    }
  }
}
