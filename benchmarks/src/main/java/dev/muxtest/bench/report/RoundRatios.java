package dev.muxtest.bench.report;

import java.util.Locale;

/**
 * A ratio taken round by round: in each round both sides were measured one right after the other,
 * so a round's ratio compares them under the same load; the figure's ratio is the median of the
 * rounds' ratios, and their range shows how much the machine moved it.
 *
 * @param median median of the per-round ratios
 * @param min smallest per-round ratio
 * @param max largest per-round ratio
 * @param rounds number of rounds
 */
public record RoundRatios(double median, double min, double max, int rounds) {

  /** The median and range of {@code ratios}, one per round. */
  public static RoundRatios of(double... ratios) {
    Samples samples = Samples.of(ratios);
    return new RoundRatios(samples.median(), samples.min(), samples.max(), samples.size());
  }

  /** {@code 0.98..1.31 over 5 rounds}. */
  public String range() {
    return String.format(
        Locale.ROOT,
        "%s..%s over %d round%s",
        SummaryTable.number(min),
        SummaryTable.number(max),
        rounds,
        rounds == 1 ? "" : "s");
  }
}
