package dev.muxtest;

/** An operation over the SSH master failed or did not finish within its time limit. */
public class SshOperationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the operation and its cause. */
  public SshOperationException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception with a message that names the operation. */
  public SshOperationException(String message) {
    super(message);
  }
}
