package dev.muxtest.bench.suite;

import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Results;
import java.util.List;
import java.util.concurrent.Callable;

/** One kind of measurement; it adds its figures, each with the baseline measured beside it. */
public interface Benchmark {

  /** Short name, for progress messages. */
  String name();

  /** Ids of the figures it adds; those it could not add are reported failed. */
  List<String> figureIds();

  /** Measures and adds its figures to {@code results}. */
  void run(Results results) throws Exception;

  /**
   * The figure {@code measurement} makes, or a failed figure {@code id} naming why it could not.
   */
  static Figure attempt(String id, Callable<Figure> measurement) {
    try {
      return measurement.call();
    } catch (Exception e) {
      e.printStackTrace();
      return Figure.failed(id, e);
    }
  }
}
