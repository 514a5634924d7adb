package dev.muxtest.bench.report;

import java.util.Optional;

/**
 * One result of a run: a figure, the baseline measured beside it in the same run, and their ratio.
 *
 * @param id stable name, such as {@code exec.mina}
 * @param title what was measured
 * @param value the figure; {@code null} when the measurement failed
 * @param baselineTitle what the baseline is
 * @param baseline the baseline; {@code null} when the measurement failed
 * @param better which direction is the good one
 * @param target the goal for this figure, if it has one
 * @param detail further facts of the measurement (may be empty)
 * @param error why the measurement failed; {@code null} when it succeeded
 * @param rounds for a ratio taken round by round, the rounds' ratios; {@code null} otherwise
 */
public record Figure(
    String id,
    String title,
    Measure value,
    String baselineTitle,
    Measure baseline,
    Better better,
    Optional<Target> target,
    String detail,
    String error,
    RoundRatios rounds) {

  /** A successful measurement. */
  public static Figure measured(
      String id,
      String title,
      Measure value,
      String baselineTitle,
      Measure baseline,
      Better better,
      Optional<Target> target,
      String detail) {
    return new Figure(
        id, title, value, baselineTitle, baseline, better, target, detail, null, null);
  }

  /**
   * A successful measurement whose ratio is the median of per-round ratios ({@code rounds}) rather
   * than the ratio of the two medians.
   */
  public static Figure measuredInRounds(
      String id,
      String title,
      Measure value,
      String baselineTitle,
      Measure baseline,
      Better better,
      Optional<Target> target,
      String detail,
      RoundRatios rounds) {
    return new Figure(
        id, title, value, baselineTitle, baseline, better, target, detail, null, rounds);
  }

  /** A measurement that failed; it makes the run fail. */
  public static Figure failed(String id, String error) {
    return new Figure(id, id, null, "", null, Better.LOWER, Optional.empty(), "", error, null);
  }

  /** A measurement that failed with {@code e}; the error names it and its causes on one line. */
  public static Figure failed(String id, Throwable e) {
    return failed(id, describe(e));
  }

  /** The exception and its causes, one line. */
  public static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(e.toString());
    for (Throwable cause = e.getCause();
        cause != null && cause != cause.getCause();
        cause = cause.getCause()) {
      text.append(" <- ").append(cause);
    }
    return text.toString();
  }

  /** Whether the measurement succeeded. */
  public boolean ok() {
    return error == null;
  }

  /**
   * How many times better than its baseline the figure is: {@code value / baseline} for throughput,
   * {@code baseline / value} for latencies and costs (for a figure taken in rounds, the median of
   * the rounds' ratios). Above 1 the figure beats its baseline; below 1 it is that fraction of it.
   */
  public double ratio() {
    if (!ok()) {
      return Double.NaN;
    }
    if (rounds != null) {
      return rounds.median();
    }
    return better == Better.HIGHER
        ? value.value() / baseline.value()
        : baseline.value() / value.value();
  }
}
