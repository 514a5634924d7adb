package dev.muxtest.bench;

/**
 * A measurement that cannot be trusted: a wrong byte count, a failed command, a fixture that
 * failed.
 */
public class MeasurementException extends Exception {

  private static final long serialVersionUID = 1L;

  /** With a message naming what went wrong. */
  public MeasurementException(String message) {
    super(message);
  }
}
