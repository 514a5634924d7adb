package dev.muxtest.bench.suite;

import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.net.StreamRead;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.setup.Testbed;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Many streams at once through one master (aggregate MB/s) against one stream of the same total
 * size through the same master, for each engine.
 */
public final class ParallelStreams implements Benchmark {

  private final RunPlan plan;
  private final Testbed bed;

  /** Measures through {@code bed}'s forwards. */
  public ParallelStreams(RunPlan plan, Testbed bed) {
    this.plan = plan;
    this.bed = bed;
  }

  @Override
  public String name() {
    return plan.parallelStreams() + " parallel streams";
  }

  @Override
  public List<String> figureIds() {
    return List.of("parallel.mina", "parallel.openssh");
  }

  @Override
  public void run(Results results) throws Exception {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            plan.parallelStreams(),
            task -> {
              Thread thread = new Thread(task, "bench-stream");
              thread.setDaemon(true);
              return thread;
            });
    try {
      for (Testbed.EngineUnderTest engine : List.of(bed.mina(), bed.openSsh())) {
        results.add(Benchmark.attempt(id(engine), () -> measure(engine, pool)));
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private Figure measure(Testbed.EngineUnderTest engine, ExecutorService pool) throws Exception {
    InetSocketAddress single = engine.blob().localAddress();
    InetSocketAddress part = engine.part().localAddress();
    parallel(pool, part, Math.min(plan.partBytes(), 8L << 20), true); // warm-up: a prefix of each
    List<Samples> s =
        RoundRobin.sample(
            List.of(
                () -> parallel(pool, part, plan.partBytes(), false),
                () ->
                    StreamRead.readAll(single, plan.streamBytes(), ForwardThroughput.READ_LIMIT)
                        .megabytesPerSecond()),
            0,
            plan.streamRepetitions());
    return Figure.measured(
        id(engine),
        plan.parallelStreams() + " parallel streams through one " + engine.name() + " master",
        Measure.median(s.get(0), "MB/s"),
        "1 stream of the same total size through the same master",
        Measure.median(s.get(1), "MB/s"),
        Better.HIGHER,
        Optional.empty(),
        String.format(
            "%d streams of %d MiB at once, aggregate over the wall time of all; byte counts checked;"
                + " median of %d rounds (parallel %s, single %s MB/s)",
            plan.parallelStreams(),
            plan.partBytes() >> 20,
            plan.streamRepetitions(),
            ForwardThroughput.range(s.get(0)),
            ForwardThroughput.range(s.get(1))));
  }

  private static String id(Testbed.EngineUnderTest engine) {
    return "parallel." + engine.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads {@link RunPlan#parallelStreams()} streams at once; the aggregate MB/s from first start to
   * last end.
   */
  private double parallel(
      ExecutorService pool, InetSocketAddress address, long bytes, boolean prefixOnly)
      throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Long>> reads = new ArrayList<>();
    for (int i = 0; i < plan.parallelStreams(); i++) {
      reads.add(
          pool.submit(
              () -> {
                start.await();
                return prefixOnly
                    ? StreamRead.readPrefix(address, bytes, ForwardThroughput.READ_LIMIT).bytes()
                    : StreamRead.readAll(address, bytes, ForwardThroughput.READ_LIMIT).bytes();
              }));
    }
    long began = System.nanoTime();
    start.countDown();
    long total = 0;
    long deadline = began + ForwardThroughput.READ_LIMIT.toNanos() + TimeUnit.SECONDS.toNanos(30);
    try {
      for (Future<Long> read : reads) {
        total += read.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      reads.forEach(r -> r.cancel(true));
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      reads.forEach(r -> r.cancel(true));
      throw e;
    }
    return total / 1e6 / ((System.nanoTime() - began) / 1e9);
  }
}
