package dev.muxtest.bench.suite;

import dev.muxtest.bench.MeasurementException;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.net.StreamRead;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.RoundRatios;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.report.SummaryTable;
import dev.muxtest.bench.report.Target;
import dev.muxtest.bench.setup.Testbed;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One large stream read to its end through a local forward of each engine and directly from the
 * service's published port, in rounds; every read's byte count is checked. MINA against OpenSSH is
 * the median of the rounds' ratios, with their range: a single pair of reads on a shared machine
 * moves by tens of percent.
 */
public final class ForwardThroughput implements Benchmark {

  /**
   * The target for MINA against OpenSSH: a margin that the noise of one run cannot erase.
   */
  static final double MINA_VS_OPENSSH = 1.1;

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
    InetSocketAddress direct = bed.directBlob();
    InetSocketAddress mina = bed.mina().blob().localAddress();
    InetSocketAddress openSsh = bed.openSsh().blob().localAddress();
    // Warm: the JIT compiles MINA's per-packet code only after some thousands of packets (32 KiB
    // each); cold, its first 256 MiB ran at about two thirds of its later speed.
    for (InetSocketAddress path : List.of(direct, mina, openSsh)) {
      for (long done = 0; done < plan.streamWarmupBytes(); ) {
        long read =
            StreamRead.readPrefix(path, plan.streamWarmupBytes() - done, READ_LIMIT).bytes();
        if (read == 0) {
          throw new MeasurementException(path + " sent nothing during the warm-up");
        }
        done += read;
      }
    }
    int rounds = plan.streamRepetitions();
    double[] directMbs = new double[rounds];
    double[] minaMbs = new double[rounds];
    double[] openSshMbs = new double[rounds];
    double[] ratios = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      directMbs[r] = read(direct);
      // The two engines one right after the other, so that their ratio compares them under the
      // same load; which goes first alternates, so that neither always follows the other.
      if (r % 2 == 0) {
        minaMbs[r] = read(mina);
        openSshMbs[r] = read(openSsh);
      } else {
        openSshMbs[r] = read(openSsh);
        minaMbs[r] = read(mina);
      }
      ratios[r] = minaMbs[r] / openSshMbs[r];
    }
    Samples directSamples = Samples.of(directMbs);
    Samples minaSamples = Samples.of(minaMbs);
    Samples openSshSamples = Samples.of(openSshMbs);
    Measure directMedian = Measure.median(directSamples, "MB/s");
    Measure minaMedian = Measure.median(minaSamples, "MB/s");
    Measure openSshMedian = Measure.median(openSshSamples, "MB/s");
    RoundRatios minaVsOpenSsh = RoundRatios.of(ratios);
    String detail =
        String.format(
            Locale.ROOT,
            "%d MiB read to end of stream, byte count checked, after %d MiB untimed through each"
                + " path; %d rounds, each reading it directly, then through the MINA and the OpenSSH"
                + " forward one right after the other (MINA first in odd rounds, OpenSSH in even"
                + " ones); medians of the rounds (direct %s, MINA %s, OpenSSH %s MB/s);"
                + " MINA/OpenSSH per round: %s",
            plan.streamBytes() >> 20,
            plan.streamWarmupBytes() >> 20,
            rounds,
            range(directSamples),
            range(minaSamples),
            range(openSshSamples),
            Arrays.stream(ratios).mapToObj(SummaryTable::number).collect(Collectors.joining(", ")));
    results.add(
        Figure.measured(
            "throughput.mina",
            "Large stream through a MINA forward",
            minaMedian,
            "the service's published port, directly",
            directMedian,
            Better.HIGHER,
            Optional.of(
                Target.ratioAtLeast(
                    0.5, minaMedian.value() / directMedian.value(), ">= half the direct address")),
            detail));
    results.add(
        Figure.measured(
            "throughput.openssh",
            "Large stream through an OpenSSH forward",
            openSshMedian,
            "the service's published port, directly",
            directMedian,
            Better.HIGHER,
            Optional.empty(),
            detail));
    results.add(
        Figure.measuredInRounds(
            "throughput.mina-vs-openssh",
            "Large stream: MINA forward vs OpenSSH forward",
            minaMedian,
            "the OpenSSH engine's forward",
            openSshMedian,
            Better.HIGHER,
            Optional.of(
                Target.ratioAtLeast(
                    MINA_VS_OPENSSH,
                    minaVsOpenSsh.median(),
                    ">= 1.1x the OpenSSH engine (median of the rounds' ratios)")),
            detail,
            minaVsOpenSsh));
  }

  /** One timed read of the whole stream from {@code address}, in MB/s. */
  private double read(InetSocketAddress address) throws Exception {
    return StreamRead.readAll(address, plan.streamBytes(), READ_LIMIT).megabytesPerSecond();
  }

  /** {@code min..max} of the reads. */
  static String range(Samples samples) {
    return String.format("%.0f..%.0f", samples.min(), samples.max());
  }
}
