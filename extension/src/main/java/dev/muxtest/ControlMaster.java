package dev.muxtest;

/** OpenSSH's {@code ControlMaster} modes, for the {@link Engine#OPENSSH} engine. */
public enum ControlMaster {

  /** Reuse a live master on the same control path, else start one. */
  AUTO,

  /** Always start a master of this class's own. */
  YES,

  /**
   * No master: every command and forward opens its own connection. A baseline for benchmarks; the
   * proof of a single connection then fails, as it should.
   */
  NO
}
