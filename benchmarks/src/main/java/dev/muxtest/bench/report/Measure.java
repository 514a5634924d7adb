package dev.muxtest.bench.report;

/**
 * One side of a comparison.
 *
 * @param value the median of the samples, or the mean where one measurement covers many items
 * @param statistic what {@code value} is: "median" or "mean"
 * @param p90 90th percentile (nearest rank), or {@code NaN} when not reported
 * @param samples number of samples (or items averaged)
 * @param unit unit of {@code value} and {@code p90}
 */
public record Measure(double value, String statistic, double p90, int samples, String unit) {

  /** The median and p90 of {@code samples}. */
  public static Measure of(Samples samples, String unit) {
    return new Measure(samples.median(), "median", samples.p90(), samples.size(), unit);
  }

  /** The median of {@code samples} alone: for a few long samples, whose p90 would say nothing. */
  public static Measure median(Samples samples, String unit) {
    return new Measure(samples.median(), "median", Double.NaN, samples.size(), unit);
  }

  /** A mean over {@code items}, from one measurement of them all. */
  public static Measure mean(double value, int items, String unit) {
    return new Measure(value, "mean", Double.NaN, items, unit);
  }
}
