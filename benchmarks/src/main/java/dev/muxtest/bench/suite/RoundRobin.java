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
    return samplesOf(values);
  }

  /**
   * {@code runs} samples of each of {@code probes}, after {@code warmup} untimed rounds, taken in
   * blocks: {@code block} samples of one probe, then {@code block} of the next, and so on in turn.
   * For probes whose after-effects would fall into the next probe's sample (a fresh connection's
   * tear-down continues on the server after the client has closed it), the first samples of a block
   * may carry them, the median does not.
   */
  static List<Samples> sampleInBlocks(List<Probe> probes, int warmup, int runs, int block)
      throws Exception {
    if (block < 1) {
      throw new IllegalArgumentException("block must be at least 1, was " + block);
    }
    for (int i = 0; i < warmup; i++) {
      for (Probe probe : probes) {
        probe.sample();
      }
    }
    double[][] values = new double[probes.size()][runs];
    for (int start = 0; start < runs; start += block) {
      int end = Math.min(runs, start + block);
      for (int p = 0; p < probes.size(); p++) {
        for (int i = start; i < end; i++) {
          values[p][i] = probes.get(p).sample();
        }
      }
    }
    return samplesOf(values);
  }

  private static List<Samples> samplesOf(double[][] values) {
    List<Samples> result = new ArrayList<>();
    for (double[] v : values) {
      result.add(Samples.of(v));
    }
    return result;
  }
}
