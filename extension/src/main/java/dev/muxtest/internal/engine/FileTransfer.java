package dev.muxtest.internal.engine;

import dev.muxtest.SshOperationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One file transfer over a master ({@code SshMaster.upload} or {@code download}), as both engines
 * see it: its arguments checked alike, the local side checked before anything is sent, and the
 * words of its failures. The engine moves the bytes (MINA: an SFTP client on the master's session;
 * OpenSSH: the {@code sftp} program through the control socket).
 */
public final class FileTransfer {

  /** Which way the bytes go. */
  public enum Direction {
    /** From the test machine to the server. */
    UPLOAD,
    /** From the server to the test machine. */
    DOWNLOAD
  }

  private final Direction direction;
  private final Path local;
  private final String remotePath;
  private final Duration timeout;
  private final String server;
  private final long maxSize;

  private FileTransfer(
      Direction direction,
      Path local,
      String remotePath,
      Duration timeout,
      String server,
      long maxSize) {
    this.direction = direction;
    this.local = local;
    this.remotePath = remotePath;
    this.timeout = timeout;
    this.server = server;
    this.maxSize = maxSize;
  }

  /**
   * Checks the arguments of a transfer, before it waits for a session.
   *
   * @throws IllegalArgumentException naming the argument at fault: a null local path; a null or
   *     blank remote path, or one holding a control character (NUL, newline, ...: a file name no
   *     test needs, which the OpenSSH engine's {@code sftp} batch could not carry); a local path
   *     holding one; a null timeout, or one not positive or over 24 hours
   */
  static FileTransfer of(
      Direction direction,
      Path local,
      String remotePath,
      Duration timeout,
      String server,
      long maxSize) {
    String operation = direction == Direction.UPLOAD ? "upload" : "download";
    if (local == null) {
      throw new IllegalArgumentException(operation + ": local path must not be null");
    }
    if (remotePath == null) {
      throw new IllegalArgumentException(operation + ": remotePath must not be null");
    }
    if (remotePath.isBlank()) {
      throw new IllegalArgumentException(operation + ": remotePath must not be blank");
    }
    if (hasControlCharacter(remotePath)) {
      throw new IllegalArgumentException(
          operation
              + ": remotePath must not contain a control character (NUL, newline, ...), but was "
              + printable(remotePath));
    }
    if (hasControlCharacter(local.toString())) {
      throw new IllegalArgumentException(
          operation
              + ": local path must not contain a control character (NUL, newline, ...), but was "
              + printable(local.toString()));
    }
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException(
          operation + ": timeout must be positive, but was " + timeout);
    }
    if (timeout.compareTo(Settings.MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          operation + ": timeout must be at most 24h, but was " + timeout);
    }
    return new FileTransfer(
        direction, local.toAbsolutePath(), remotePath, timeout, server, maxSize);
  }

  private static boolean hasControlCharacter(String text) {
    return text.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  /** The text with control characters shown as Java escapes, fit for a one-line message. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder("'");
    text.chars()
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.append((char) c);
              }
            });
    return out.append('\'').toString();
  }

  /**
   * Checks the local side before a session is taken: the source of an upload is a readable regular
   * file; the target of a download is not a directory, and its directory exists (no directories are
   * made).
   *
   * @throws IllegalArgumentException if the target of a download is a symbolic link: a download
   *     never writes through one (in a shared directory, another user may have planted it)
   * @throws SshOperationException naming the local path and what is wrong with it
   */
  void checkLocalSide() {
    if (direction == Direction.UPLOAD) {
      if (!Files.exists(local)) {
        throw failed(local + ": no such file");
      }
      if (!Files.isRegularFile(local)) {
        throw failed(local + ": not a regular file");
      }
      if (!Files.isReadable(local)) {
        throw failed(local + ": permission denied (not readable)");
      }
    } else {
      if (Files.isSymbolicLink(local)) {
        throw new IllegalArgumentException(
            "download: the local target "
                + local
                + " is a symbolic link; a download does not write through one (name the file"
                + " itself)");
      }
      if (Files.isDirectory(local)) {
        throw failed(local + ": is a directory (name the file to write)");
      }
      Path parent = local.getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw failed(parent + ": no such directory (no directories are made)");
      }
    }
  }

  /** Which way the bytes go. */
  public Direction direction() {
    return direction;
  }

  /** The file on the test machine, absolute. */
  public Path local() {
    return local;
  }

  /** The file on the server, as the test named it (relative: to the login directory). */
  public String remotePath() {
    return remotePath;
  }

  /** Most bytes a download may bring ({@code muxtest.transfer.maxSize}). */
  public long maxSize() {
    return maxSize;
  }

  /** The whole transfer's bound, for messages. */
  public Duration timeout() {
    return timeout;
  }

  /** "Upload of L to R on S" or "Download of R on S to L". */
  public String describe() {
    return direction == Direction.UPLOAD
        ? "Upload of " + local + " to " + remotePath + " on " + server
        : "Download of " + remotePath + " on " + server + " to " + local;
  }

  /**
   * The failure of this transfer.
   *
   * @param reason the path at fault and the reason given (by the server, the sftp program or the
   *     local file system)
   */
  public SshOperationException failed(String reason) {
    return new SshOperationException(describe() + " failed: " + reason);
  }

  /** The failure of this transfer, with its cause. */
  public SshOperationException failed(String reason, Throwable cause) {
    return new SshOperationException(describe() + " failed: " + reason, cause);
  }

  /** The remote file is, or grew, larger than {@link #maxSize()}: nothing of it was kept. */
  public SshOperationException tooLarge() {
    return failed(
        remotePath
            + ": larger than "
            + Settings.TRANSFER_MAX_SIZE
            + " ("
            + maxSize
            + " bytes); "
            + local
            + " is left as it was");
  }

  /** The calling thread was interrupted: the transfer was ended (the thread's flag stays set). */
  public SshOperationException interrupted(Throwable cause) {
    return new SshOperationException(describe() + " was interrupted, and was ended", cause);
  }

  /** This transfer did not end within its bound, and was ended. */
  public SshOperationException timedOut() {
    return new SshOperationException(
        describe()
            + " did not finish within "
            + timeout
            + " (the timeout given, else "
            + Settings.EXEC_TIMEOUT
            + "), and was ended");
  }
}
