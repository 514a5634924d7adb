package dev.muxtest.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The figures of one run, in the order they were measured. */
public final class Results {

  private final Map<String, Figure> figures = new LinkedHashMap<>();
  private final Map<String, Object> observed = new LinkedHashMap<>();

  /** Records a figure; a later one with the same id replaces it. */
  public synchronized void add(Figure figure) {
    figures.put(figure.id(), figure);
  }

  /** Records {@code error} for every id in {@code ids} that has no figure yet. */
  public synchronized void failMissing(List<String> ids, String error) {
    for (String id : ids) {
      figures.putIfAbsent(id, Figure.failed(id, error));
    }
  }

  /** Records a fact seen during the run, such as the algorithms a connection negotiated. */
  public synchronized void note(String key, Object value) {
    observed.put(key, value);
  }

  /** The facts recorded with {@link #note}. */
  public synchronized Map<String, Object> observed() {
    return new LinkedHashMap<>(observed);
  }

  /** All figures. */
  public synchronized List<Figure> all() {
    return new ArrayList<>(figures.values());
  }

  /** Number of failed measurements. */
  public synchronized long failures() {
    return figures.values().stream().filter(f -> !f.ok()).count();
  }
}
