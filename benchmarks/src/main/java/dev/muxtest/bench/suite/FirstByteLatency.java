package dev.muxtest.bench.suite;

import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.net.FirstByte;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.report.Target;
import dev.muxtest.bench.setup.Testbed;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * A new TCP connection through a local forward until its first byte arrives (a new channel on the
 * master, and the server's connection to the service), against the service's published port.
 */
public final class FirstByteLatency implements Benchmark {

  private final RunPlan plan;
  private final Testbed bed;

  /** Measures through {@code bed}'s one-byte forwards. */
  public FirstByteLatency(RunPlan plan, Testbed bed) {
    this.plan = plan;
    this.bed = bed;
  }

  @Override
  public String name() {
    return "first byte of a new connection";
  }

  @Override
  public List<String> figureIds() {
    return List.of("firstbyte.mina", "firstbyte.openssh");
  }

  @Override
  public void run(Results results) throws Exception {
    List<Samples> s =
        RoundRobin.sample(
            List.of(
                probe(bed.directByte()),
                probe(bed.mina().oneByte().localAddress()),
                probe(bed.openSsh().oneByte().localAddress())),
            plan.firstByteWarmup(),
            plan.firstByteRuns());
    Measure direct = Measure.of(s.get(0), "ms");
    results.add(
        figure(
            "firstbyte.mina",
            "New connection through a MINA forward, first byte",
            Measure.of(s.get(1), "ms"),
            direct));
    results.add(
        figure(
            "firstbyte.openssh",
            "New connection through an OpenSSH forward, first byte",
            Measure.of(s.get(2), "ms"),
            direct));
  }

  private static Probe probe(InetSocketAddress address) {
    return () -> FirstByte.nanos(address) / 1e6;
  }

  private static Figure figure(String id, String title, Measure through, Measure direct) {
    return Figure.measured(
        id,
        title,
        through,
        "the service's published port, directly",
        direct,
        Better.LOWER,
        Optional.of(Target.below(2, through.value(), "ms", "first byte < 2 ms median")),
        "from connect() to the first byte; service: socat sending one byte per connection");
  }
}
