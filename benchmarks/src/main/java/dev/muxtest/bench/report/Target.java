package dev.muxtest.bench.report;

/**
 * A goal from the issue that a figure is reported against; a missed target is reported, never a
 * failed run.
 *
 * @param goal the goal, in words
 * @param met whether this run met it
 * @param measured what was measured against the goal, in words (the gap when missed)
 */
public record Target(String goal, boolean met, String measured) {

  /** Met when {@code ratio >= minimum}. */
  public static Target ratioAtLeast(double minimum, double ratio, String goal) {
    boolean met = ratio >= minimum;
    return new Target(
        goal,
        met,
        met
            ? String.format("ratio %.2f", ratio)
            : String.format("ratio %.2f, %.2f short of %.2f", ratio, minimum - ratio, minimum));
  }

  /** Met when {@code value < limit} (strictly below, as "under 2 ms" reads). */
  public static Target below(double limit, double value, String unit, String goal) {
    boolean met = value < limit;
    return new Target(
        goal,
        met,
        met
            ? String.format("%.2f %s", value, unit)
            : String.format("%.2f %s, %.2f %s over", value, unit, value - limit, unit));
  }

  /** Met when {@code value <= limit}. */
  public static Target atMost(double limit, double value, String unit, String goal) {
    boolean met = value <= limit;
    return new Target(
        goal,
        met,
        met
            ? String.format("%.2f %s", value, unit)
            : String.format("%.2f %s, %.2f %s over", value, unit, value - limit, unit));
  }

  /** Met when both are. */
  public static Target both(Target first, Target second) {
    return new Target(
        first.goal() + " and " + second.goal(),
        first.met() && second.met(),
        first.measured() + "; " + second.measured());
  }
}
