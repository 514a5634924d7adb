package dev.muxtest.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of a run as a table: plain text for the console, Markdown for the README. */
public final class SummaryTable {

  private static final List<String> HEADER =
      List.of("figure", "value", "baseline", "ratio", "target");

  private SummaryTable() {}

  /** A fixed-width text table, one row per figure. */
  public static String text(List<Figure> figures) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    figures.forEach(f -> rows.add(row(f, false)));
    int[] widths = new int[HEADER.size()];
    rows.forEach(
        r -> {
          for (int i = 0; i < r.size(); i++) {
            widths[i] = Math.max(widths[i], r.get(i).length());
          }
        });
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      List<String> row = rows.get(r);
      for (int i = 0; i < row.size(); i++) {
        out.append(i == 0 ? "" : "  ").append(pad(row.get(i), i == row.size() - 1 ? 0 : widths[i]));
      }
      out.append('\n');
      if (r == 0) {
        int total = widths.length * 2 - 2;
        for (int w : widths) {
          total += w;
        }
        out.append("-".repeat(total)).append('\n');
      }
    }
    return out.toString();
  }

  /** A Markdown table, one row per figure, with the baseline named. */
  public static String markdown(List<Figure> figures) {
    StringBuilder out =
        new StringBuilder("| Figure | Value | Baseline (same run) | Ratio | Target |\n");
    out.append("|---|---|---|---|---|\n");
    for (Figure f : figures) {
      out.append("| ").append(String.join(" | ", row(f, true))).append(" |\n");
    }
    return out.toString();
  }

  private static List<String> row(Figure f, boolean markdown) {
    if (!f.ok()) {
      String error =
          markdown || f.error().length() <= 100 ? f.error() : f.error().substring(0, 100) + "...";
      return List.of(f.id(), "FAILED: " + error, "", "", "");
    }
    String name = markdown ? f.title() + " (`" + f.id() + "`)" : f.id();
    String baseline =
        markdown ? measure(f.baseline()) + ", " + f.baselineTitle() : measure(f.baseline());
    String target =
        f.target()
            .map(
                t ->
                    (t.met() ? "met" : "MISSED")
                        + (markdown
                            ? ": " + t.goal() + " (" + t.measured() + ")"
                            : " (" + t.measured() + ")"))
            .orElse(markdown ? "" : "-");
    String ratio =
        f.rounds() == null
            ? ratio(f.ratio())
            : ratio(f.ratio()) + " (median; " + f.rounds().range() + ")";
    return List.of(name, measure(f.value()), baseline, ratio, target);
  }

  /** {@code 1.23 ms (p90 1.80)}, {@code 345 MB/s}. */
  public static String measure(Measure m) {
    String median = number(m.value()) + " " + m.unit();
    return Double.isNaN(m.p90()) ? median : median + " (p90 " + number(m.p90()) + ")";
  }

  /** {@code 38.2x}, {@code 0.45x}. */
  public static String ratio(double ratio) {
    return number(ratio) + "x";
  }

  /** Three significant digits, at least, without exponent. */
  public static String number(double value) {
    double abs = Math.abs(value);
    String format = abs >= 100 ? "%.0f" : abs >= 10 ? "%.1f" : abs >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, format, value);
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
