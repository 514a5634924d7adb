package dev.muxtest.bench.report;

import java.util.Arrays;

/** Values of repeated runs of one measurement, with the statistics the report uses. */
public final class Samples {

  private final double[] sorted;

  private Samples(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    this.sorted = values.clone();
    Arrays.sort(sorted);
  }

  /** Samples of the given values. */
  public static Samples of(double... values) {
    return new Samples(values);
  }

  /** Number of samples. */
  public int size() {
    return sorted.length;
  }

  /** The median; the mean of the two middle values for an even count. */
  public double median() {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The 90th percentile, nearest rank. */
  public double p90() {
    return sorted[Math.max(0, (int) Math.ceil(0.9 * sorted.length) - 1)];
  }

  /** The smallest value. */
  public double min() {
    return sorted[0];
  }

  /** The largest value. */
  public double max() {
    return sorted[sorted.length - 1];
  }
}
