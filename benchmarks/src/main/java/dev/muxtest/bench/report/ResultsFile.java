package dev.muxtest.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a run's figures and metadata as {@code results.json}. */
public final class ResultsFile {

  /** Version of the file's layout; raised when a field changes meaning. */
  public static final int SCHEMA = 1;

  private ResultsFile() {}

  /** Writes {@code results} and {@code metadata} to {@code file}. */
  public static void write(Path file, Map<String, Object> metadata, List<Figure> figures)
      throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", SCHEMA);
    root.put(
        "ratio",
        "times better than the baseline: value/baseline for throughput, baseline/value for "
            + "latency, cost and memory; above 1 beats the baseline");
    root.put("run", metadata);
    root.put("figures", figures.stream().map(ResultsFile::figure).toList());
    root.put("failures", figures.stream().filter(f -> !f.ok()).count());
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, Json.write(root), StandardCharsets.UTF_8);
  }

  private static Map<String, Object> figure(Figure f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", f.id());
    m.put("status", f.ok() ? "ok" : "failed");
    if (!f.ok()) {
      m.put("error", f.error());
      return m;
    }
    m.put("title", f.title());
    m.put("unit", f.value().unit());
    m.put("better", f.better().name().toLowerCase());
    m.put("value", measure(f.value()));
    Map<String, Object> baseline = measure(f.baseline());
    baseline.put("title", f.baselineTitle());
    m.put("baseline", baseline);
    m.put("ratio", f.ratio());
    if (f.rounds() != null) {
      Map<String, Object> rounds = new LinkedHashMap<>();
      rounds.put("statistic", "median of the per-round ratios");
      rounds.put("median", f.rounds().median());
      rounds.put("min", f.rounds().min());
      rounds.put("max", f.rounds().max());
      rounds.put("rounds", f.rounds().rounds());
      m.put("ratioRounds", rounds);
    }
    f.target()
        .ifPresent(
            t -> {
              Map<String, Object> target = new LinkedHashMap<>();
              target.put("goal", t.goal());
              target.put("met", t.met());
              target.put("measured", t.measured());
              m.put("target", target);
            });
    if (!f.detail().isEmpty()) {
      m.put("detail", f.detail());
    }
    return m;
  }

  private static Map<String, Object> measure(Measure measure) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(measure.statistic(), measure.value());
    if (!Double.isNaN(measure.p90())) {
      m.put("p90", measure.p90());
    }
    m.put("samples", measure.samples());
    m.put("unit", measure.unit());
    return m;
  }
}
