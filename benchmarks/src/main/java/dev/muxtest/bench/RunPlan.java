package dev.muxtest.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How much a run measures: sizes, warm-up and timed iterations. {@link #full()} makes the committed
 * results; {@link #smoke()} checks in well under two minutes that every measurement still works.
 *
 * @param mode "full" or "smoke"
 * @param streamBytes size of the large stream (throughput), also the total of the parallel streams
 * @param streamRepetitions rounds of the large stream, each reading it once per path
 * @param streamWarmupBytes untimed bytes read through each path before the rounds (the stream read
 *     again as often as needed)
 * @param parallelStreams streams read at once through one master
 * @param execWarmup untimed commands before timing, per way of running one
 * @param execRuns timed commands per way of running one
 * @param firstByteWarmup untimed connections before timing, per path
 * @param firstByteRuns timed connections per path
 * @param classWarmup untimed runs of each fixture class before timing
 * @param classRuns timed runs of each fixture class on a running server
 * @param containerClassRuns timed runs of the fixture class that starts its own container
 * @param heapMasters masters held open at once for the heap figure
 * @param suiteClasses test classes of the generated suite (at most 40)
 * @param suiteTestsPerClass tests per class of the generated suite (at most 5)
 * @param suiteRuns timed runs of each whole suite, taken in turn
 * @param deadline the whole run is ended (and cleaned up) after this long
 */
public record RunPlan(
    String mode,
    long streamBytes,
    int streamRepetitions,
    long streamWarmupBytes,
    int parallelStreams,
    int execWarmup,
    int execRuns,
    int firstByteWarmup,
    int firstByteRuns,
    int classWarmup,
    int classRuns,
    int containerClassRuns,
    int heapMasters,
    int suiteClasses,
    int suiteTestsPerClass,
    int suiteRuns,
    Duration deadline) {

  /** The full run: 1 GiB streams, hundreds of samples. */
  public static RunPlan full() {
    return new RunPlan(
        "full",
        1L << 30,
        5,
        512L << 20,
        16,
        30,
        200,
        50,
        300,
        3,
        20,
        5,
        50,
        40,
        5,
        3,
        Duration.ofMinutes(45));
  }

  /** The smoke run for CI: every measurement, small. */
  public static RunPlan smoke() {
    return new RunPlan(
        "smoke",
        64L << 20,
        2,
        256L << 20,
        16,
        5,
        20,
        10,
        40,
        2,
        5,
        2,
        10,
        4,
        2,
        1,
        Duration.ofMinutes(4));
  }

  /** The plan named {@code mode}. */
  public static RunPlan named(String mode) {
    return switch (mode) {
      case "full" -> full();
      case "smoke" -> smoke();
      default -> throw new IllegalArgumentException("Unknown mode '" + mode + "': full or smoke");
    };
  }

  /** Size of each of the parallel streams. */
  public long partBytes() {
    return streamBytes / parallelStreams;
  }

  /** The plan as JSON-ready metadata. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("streamBytes", streamBytes);
    m.put("streamRepetitions", streamRepetitions);
    m.put("streamWarmupBytes", streamWarmupBytes);
    m.put("parallelStreams", parallelStreams);
    m.put("parallelStreamBytes", partBytes());
    m.put("execWarmup", execWarmup);
    m.put("execRuns", execRuns);
    m.put("firstByteWarmup", firstByteWarmup);
    m.put("firstByteRuns", firstByteRuns);
    m.put("classWarmup", classWarmup);
    m.put("classRuns", classRuns);
    m.put("containerClassRuns", containerClassRuns);
    m.put("heapMasters", heapMasters);
    m.put("suiteClasses", suiteClasses);
    m.put("suiteTestsPerClass", suiteTestsPerClass);
    m.put("suiteRuns", suiteRuns);
    return m;
  }
}
