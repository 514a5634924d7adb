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
                            Target.atMost(5, over.value(), "ms", "<= 5 ms median"))),
                    "command: " + COMMAND);
              }));
      results.add(
          Benchmark.attempt(
              "exec.openssh",
              () -> {
                List<Samples> s =
                    alternate(
                        () -> succeeded(openSsh.exec(COMMAND, Testbed.TIMEOUT)),
                        () -> succeeded(noMaster.exec(COMMAND, Testbed.TIMEOUT)));
                return Figure.measured(
                    "exec.openssh",
                    "Command over the OpenSSH engine's master",
                    Measure.of(s.get(0), "ms"),
                    "the OpenSSH engine with ControlMaster NO (an ssh connection per command)",
                    Measure.of(s.get(1), "ms"),
                    Better.LOWER,
                    Optional.empty(),
                    "command: " + COMMAND + "; both spawn one ssh process per command");
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
                    "the engine's control socket, used by the plain ssh client");
              }));
    } finally {
      cleanup.closeNow(cli);
      cleanup.closeNow(noMaster);
      cleanup.closeNow(fresh);
    }
  }

  /** Milliseconds of {@code overMaster} and {@code fresh}, run in turn. */
  private List<Samples> alternate(Probe.Action overMaster, Probe.Action fresh) throws Exception {
    return RoundRobin.sample(
        List.of(Probe.millisOf(overMaster), Probe.millisOf(fresh)),
        plan.execWarmup(),
        plan.execRuns());
  }

  private static void succeeded(ExecResult result) throws MeasurementException {
    if (result.exitCode() != 0) {
      throw new MeasurementException(
          "'" + COMMAND + "' exited with " + result.exitCode() + ": " + result.stderr().strip());
    }
  }
}
