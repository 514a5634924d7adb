package dev.muxtest.bench.suite;

import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.net.StreamRead;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.report.Target;
import dev.muxtest.bench.setup.Testbed;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One large stream read to its end through a local forward of each engine and directly from the
 * service's published port; every read's byte count is checked.
 */
public final class ForwardThroughput implements Benchmark {

  /** Warm-up reads this much of the stream on each path, then closes. */
  static final long WARMUP_BYTES = 64L << 20;

  /** No single read may take longer (1 GiB at under 2 MB/s is no measurement anyway). */
  static final Duration READ_LIMIT = Duration.ofMinutes(10);

  private final RunPlan plan;
  private final Testbed bed;

  /** Measures through {@code bed}'s blob forwards. */
  public ForwardThroughput(RunPlan plan, Testbed bed) {
    this.plan = plan;
    this.bed = bed;
  }

  @Override
  public String name() {
    return "local-forward throughput";
  }

  @Override
  public List<String> figureIds() {
    return List.of("throughput.mina", "throughput.openssh", "throughput.mina-vs-openssh");
  }

  @Override
  public void run(Results results) throws Exception {
    List<InetSocketAddress> paths =
        List.of(
            bed.directBlob(),
            bed.mina().blob().localAddress(),
            bed.openSsh().blob().localAddress());
    for (InetSocketAddress path : paths) {
      StreamRead.readPrefix(path, Math.min(WARMUP_BYTES, plan.streamBytes()), READ_LIMIT);
    }
    List<Samples> s =
        RoundRobin.sample(paths.stream().map(this::probe).toList(), 0, plan.streamRepetitions());
    Measure direct = Measure.median(s.get(0), "MB/s");
    Measure mina = Measure.median(s.get(1), "MB/s");
    Measure openSsh = Measure.median(s.get(2), "MB/s");
    String detail =
        String.format(
            "%d MiB read to end of stream, byte count checked; median of %d reads per path"
                + " (direct %s, MINA %s, OpenSSH %s MB/s)",
            plan.streamBytes() >> 20,
            plan.streamRepetitions(),
            range(s.get(0)),
            range(s.get(1)),
            range(s.get(2)));
    results.add(
        Figure.measured(
            "throughput.mina",
            "Large stream through a MINA forward",
            mina,
            "the service's published port, directly",
            direct,
            Better.HIGHER,
            Optional.of(
                Target.ratioAtLeast(
                    0.5, mina.value() / direct.value(), ">= half the direct address")),
            detail));
    results.add(
        Figure.measured(
            "throughput.openssh",
            "Large stream through an OpenSSH forward",
            openSsh,
            "the service's published port, directly",
            direct,
            Better.HIGHER,
            Optional.empty(),
            detail));
    results.add(
        Figure.measured(
            "throughput.mina-vs-openssh",
            "Large stream: MINA forward vs OpenSSH forward",
            mina,
            "the OpenSSH engine's forward",
            openSsh,
            Better.HIGHER,
            Optional.of(
                Target.ratioAtLeast(
                    1.0, mina.value() / openSsh.value(), ">= the OpenSSH engine (ratio >= 1)")),
            detail));
  }

  /** {@code min..max} of the reads. */
  static String range(Samples samples) {
    return String.format("%.0f..%.0f", samples.min(), samples.max());
  }

  private Probe probe(InetSocketAddress address) {
    return () -> StreamRead.readAll(address, plan.streamBytes(), READ_LIMIT).megabytesPerSecond();
  }
}
