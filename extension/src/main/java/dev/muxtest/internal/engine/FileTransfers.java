package dev.muxtest.internal.engine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Uploads and downloads over one master: each transfer checked, then run in a session of the
 * master's budget like a command.
 */
final class FileTransfers {

  /** How an engine moves one file. */
  @FunctionalInterface
  interface Mover {
    /**
     * Moves one file as {@code transfer} says, in one session of the master, within {@code left};
     * the arguments and the local side are checked already. Fails with {@link
     * FileTransfer#failed(String)} or {@link FileTransfer#timedOut()}.
     */
    void move(FileTransfer transfer, Duration left);
  }

  private final String server;
  private final SessionBudget sessions;
  private final Runnable ensureAccepting;
  private final Mover mover;
  private final long maxSize;

  /**
   * Transfers to and from {@code server} (for messages), in sessions of {@code sessions}, after
   * {@code ensureAccepting} passed; a download brings at most {@code maxSize} bytes.
   */
  FileTransfers(
      String server, SessionBudget sessions, Runnable ensureAccepting, Mover mover, long maxSize) {
    this.server = server;
    this.maxSize = maxSize;
    this.sessions = sessions;
    this.ensureAccepting = ensureAccepting;
    this.mover = mover;
  }

  /** Copies {@code local} to {@code remotePath} on the server within {@code timeout}. */
  void upload(Path local, String remotePath, Duration timeout) {
    run(
        FileTransfer.of(
            FileTransfer.Direction.UPLOAD, local, remotePath, timeout, server, maxSize));
  }

  /** Copies {@code remotePath} on the server to {@code local} within {@code timeout}. */
  void download(String remotePath, Path local, Duration timeout) {
    run(
        FileTransfer.of(
            FileTransfer.Direction.DOWNLOAD, local, remotePath, timeout, server, maxSize));
  }

  private void run(FileTransfer transfer) {
    transfer.checkLocalSide();
    ensureAccepting.run();
    sessions.run(
        transfer.timeout(),
        transfer.describe(),
        left -> {
          mover.move(transfer, left);
          return null;
        });
  }
}
