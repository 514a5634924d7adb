package dev.muxtest.bench.suite;

import dev.muxtest.bench.report.Samples;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs several probes in turn (a, b, c, a, b, c, ...) after untimed warm-up rounds, so that a
 * figure and its baseline see the same machine state and any drift affects both alike.
 */
final class RoundRobin {

  private RoundRobin() {}

  /** {@code runs} samples of each of {@code probes}, after {@code warmup} untimed rounds. */
  static List<Samples> sample(List<Probe> probes, int warmup, int runs) throws Exception {
    for (int i = 0; i < warmup; i++) {
      for (Probe probe : probes) {
        probe.sample();
      }
    }
    double[][] values = new double[probes.size()][runs];
    for (int i = 0; i < runs; i++) {
      for (int p = 0; p < probes.size(); p++) {
        values[p][i] = probes.get(p).sample();
      }
    }
    List<Samples> result = new ArrayList<>();
    for (double[] v : values) {
      result.add(Samples.of(v));
    }
    return result;
  }
}
