package dev.muxtest.bench.report;

/** Which direction of a figure is the good one. */
public enum Better {

  /** Latencies, costs, memory. */
  LOWER,

  /** Throughput. */
  HIGHER
}
