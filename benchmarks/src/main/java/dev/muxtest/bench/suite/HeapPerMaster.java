package dev.muxtest.bench.suite;

import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshMasters;
import dev.muxtest.bench.Cleanup;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.setup.FreshMinaClient;
import dev.muxtest.bench.setup.Testbed;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Heap held per open MINA master: used heap after GC with N masters open minus before, over N,
 * measured warm (N masters opened and closed first, so one-time initialisation does not count). The
 * baseline is the cheapest way to hold a connection with the same library: N bare authenticated
 * sessions of one shared client.
 */
public final class HeapPerMaster implements Benchmark {

  private final RunPlan plan;
  private final Testbed bed;
  private final Cleanup cleanup;

  /** Opens its masters on {@code bed}'s server. */
  public HeapPerMaster(RunPlan plan, Testbed bed, Cleanup cleanup) {
    this.plan = plan;
    this.bed = bed;
    this.cleanup = cleanup;
  }

  @Override
  public String name() {
    return "heap per master";
  }

  @Override
  public List<String> figureIds() {
    return List.of("heap.mina");
  }

  @Override
  public void run(Results results) throws Exception {
    int n = plan.heapMasters();
    FreshMinaClient client =
        cleanup.register("MINA client", FreshMinaClient.start(bed.server(), Testbed.TIMEOUT));
    try {
      Connector bareSession = () -> client.connect();
      Connector master = () -> SshMasters.connect(bed.server(), MasterOptions.engine(Engine.MINA));
      hold(bareSession, n); // warm-up
      hold(master, n);
      Held bare = hold(bareSession, n);
      Held masters = hold(master, n);
      results.add(
          Figure.measured(
              "heap.mina",
              "Heap per open MINA master",
              Measure.mean(masters.kibEach(), n, "KiB"),
              "a bare session of one shared MINA client",
              Measure.mean(bare.kibEach(), n, "KiB"),
              Better.LOWER,
              Optional.empty(),
              String.format(
                  "used heap after GC with %d open minus before, over %d, after a warm-up round; left after closing:"
                      + " %.1f KiB per master, %.1f per bare session; threads per master %.1f, per bare session %.1f",
                  n,
                  n,
                  masters.kibLeftEach(),
                  bare.kibLeftEach(),
                  masters.threadsEach(),
                  bare.threadsEach())));
    } finally {
      cleanup.closeNow(client);
    }
  }

  /** Opens one connection of a kind. */
  @FunctionalInterface
  private interface Connector {
    AutoCloseable open() throws Exception;
  }

  /** Each of N connections: heap held while open, heap left after closing, threads while open. */
  private record Held(double kibEach, double kibLeftEach, double threadsEach) {}

  /** Opens {@code n} connections, takes a snapshot, closes them, takes another. */
  private Held hold(Connector connector, int n) throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    Snapshot before = Snapshot.take();
    Snapshot during;
    try {
      for (int i = 0; i < n; i++) {
        open.add(cleanup.register("connection " + i + " of the heap benchmark", connector.open()));
      }
      during = Snapshot.take();
    } finally {
      open.forEach(cleanup::closeNow);
      open.clear(); // closed connections are garbage now, not held by this list
    }
    Snapshot after = Snapshot.take();
    return new Held(
        (during.usedHeap - before.usedHeap) / 1024.0 / n,
        (after.usedHeap - before.usedHeap) / 1024.0 / n,
        (during.threads - before.threads) / (double) n);
  }

  /** Heap in use right after a full collection, and live threads. */
  private record Snapshot(long usedHeap, int threads) {

    /**
     * Sums the heap pools' usage as the last collection left it. Read later, "used heap" would also
     * count the allocation buffers (TLABs) that threads take right after a collection, a size the
     * JVM adapts to earlier allocation rates: with six threads per master that is noise of hundreds
     * of KiB per master.
     */
    static Snapshot take() throws InterruptedException {
      for (int i = 0; i < 3; i++) {
        Thread.sleep(
            200); // lets reference processing and closing threads settle between collections
        System.gc();
      }
      long used = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
          used += pool.getCollectionUsage().getUsed();
        }
      }
      return new Snapshot(used, ManagementFactory.getThreadMXBean().getThreadCount());
    }
  }
}
