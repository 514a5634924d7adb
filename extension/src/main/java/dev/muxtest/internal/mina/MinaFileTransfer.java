package dev.muxtest.internal.mina;

import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.DownloadFile;
import dev.muxtest.internal.engine.FileTransfer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * A file transfer on the MINA engine: an SFTP client ({@code sshd-sftp}) on a channel of the
 * master's own session, so one session of its budget and no connection of its own. The bytes are
 * streamed through a fixed buffer; MINA's SFTP streams keep a bounded number of requests in flight.
 * At the deadline a watchdog closes the SFTP channel, which ends the blocked copy.
 */
final class MinaFileTransfer {

  /** Size of the copy buffer and of each SFTP read or write request. */
  private static final int CHUNK = 64 * 1024;

  /** One daemon thread for all transfers' deadlines; a finished transfer's task is removed. */
  private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

  private MinaFileTransfer() {}

  private static ScheduledThreadPoolExecutor deadlines() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "muxtest-transfer-deadline");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /**
   * Runs {@code transfer} over {@code session} within {@code left}.
   *
   * @throws SshOperationException from {@link FileTransfer#failed(String)} or {@link
   *     FileTransfer#timedOut()}
   */
  static void run(ClientSession session, FileTransfer transfer, Duration left) {
    ModeSftpClient sftp;
    try {
      sftp = new ModeSftpClient(session);
    } catch (IOException e) {
      throw transfer.failed("cannot open an SFTP session: " + e.getMessage(), e);
    }
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> deadline =
        DEADLINES.schedule(
            () -> {
              timedOut.set(true);
              closeQuietly(sftp);
            },
            left.toNanos(),
            TimeUnit.NANOSECONDS);
    try {
      if (transfer.direction() == FileTransfer.Direction.UPLOAD) {
        upload(sftp, transfer);
      } else {
        download(sftp, transfer, timedOut);
      }
      // A stream closed under it may end as if at end of file: the deadline decides.
      if (timedOut.get()) {
        throw transfer.timedOut();
      }
    } catch (SshOperationException e) {
      if (timedOut.get()) {
        throw transfer.timedOut();
      }
      if (Thread.currentThread().isInterrupted() || interruptedWait(e)) {
        Thread.currentThread().interrupt();
        throw transfer.interrupted(e);
      }
      throw e;
    } finally {
      deadline.cancel(false);
      closeQuietly(sftp);
    }
  }

  private static void upload(ModeSftpClient sftp, FileTransfer transfer) {
    try (InputStream in = open(transfer, () -> Files.newInputStream(transfer.local()))) {
      int mode = DownloadFile.mode(transfer.local());
      OutputStream out =
          remote(sftp, transfer, () -> sftp.create(transfer.remotePath(), mode, CHUNK));
      // Closing waits for the server's answer to every write: a late refusal shows here.
      try (out) {
        copy(in, out, transfer);
      } catch (IOException e) {
        throw remoteFailure(sftp, transfer, e);
      }
    } catch (IOException e) {
      throw transfer.failed(transfer.local() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Looks at the remote file first (a directory, a device, a FIFO or a file over the bound is
   * refused before anything is opened), then copies it into a {@link DownloadFile}, moved over the
   * target only when all of it arrived in time.
   */
  private static void download(SftpClient sftp, FileTransfer transfer, AtomicBoolean timedOut) {
    SftpClient.Attributes attributes =
        remote(sftp, transfer, () -> sftp.stat(transfer.remotePath()));
    if (attributes.isDirectory()) {
      throw transfer.failed(transfer.remotePath() + ": is a directory");
    }
    if (!attributes.isRegularFile()) {
      throw transfer.failed(
          transfer.remotePath() + ": not a regular file (a device, a FIFO, a socket...)");
    }
    if (attributes.getSize() > transfer.maxSize()) {
      throw transfer.tooLarge();
    }
    InputStream in =
        remote(
            sftp,
            transfer,
            () -> sftp.read(transfer.remotePath(), CHUNK, EnumSet.of(SftpClient.OpenMode.Read)));
    try (DownloadFile file = DownloadFile.create(transfer)) {
      try (in;
          OutputStream out = open(transfer, file::output)) {
        copy(in, out, transfer);
      } catch (IOException e) {
        throw remoteFailure(sftp, transfer, e);
      }
      // A stream closed by the deadline may end as if at end of file: nothing of it is kept.
      if (timedOut.get()) {
        throw transfer.timedOut();
      }
      file.moveIntoPlace(attributes.getPermissions());
    }
  }

  /** Copies through one buffer; a local write failure is told apart from a remote one. */
  private static void copy(InputStream in, OutputStream out, FileTransfer transfer)
      throws IOException {
    byte[] buffer = new byte[CHUNK];
    int read;
    while ((read = in.read(buffer)) >= 0) {
      try {
        out.write(buffer, 0, read);
      } catch (IOException e) {
        if (transfer.direction() == FileTransfer.Direction.DOWNLOAD) {
          throw transfer.failed(transfer.local() + ": " + e.getMessage(), e);
        }
        throw e;
      }
    }
  }

  private interface Opener<T> {
    T open() throws IOException;
  }

  /** Opens a local stream; failing, names the local path and the file system's reason. */
  private static <T> T open(FileTransfer transfer, Opener<T> opener) {
    try {
      return opener.open();
    } catch (NoSuchFileException e) {
      throw transfer.failed(transfer.local() + ": no such file or directory", e);
    } catch (AccessDeniedException e) {
      throw transfer.failed(transfer.local() + ": permission denied", e);
    } catch (IOException e) {
      throw transfer.failed(transfer.local() + ": " + e.getMessage(), e);
    }
  }

  /** Opens a remote stream; failing, names the remote path and the server's reason. */
  private static <T> T remote(SftpClient sftp, FileTransfer transfer, Opener<T> opener) {
    try {
      return opener.open();
    } catch (IOException e) {
      throw remoteFailure(sftp, transfer, e);
    }
  }

  /**
   * The remote path and the server's reason. OpenSSH's server answers a directory with a bare
   * "Failure": a stat tells what it is.
   */
  private static SshOperationException remoteFailure(
      SftpClient client, FileTransfer transfer, IOException e) {
    if (e instanceof SftpException sftp
        && sftp.getStatus() == SftpConstants.SSH_FX_FAILURE
        && isDirectory(client, transfer)) {
      return transfer.failed(
          transfer.remotePath()
              + ": is a directory"
              + (transfer.direction() == FileTransfer.Direction.UPLOAD
                  ? " (name the file to write)"
                  : ""),
          e);
    }
    if (e instanceof SftpException sftp) {
      // The server's own words ("No such file", "Permission denied") and the status behind them.
      return transfer.failed(
          transfer.remotePath()
              + ": "
              + sftp.getMessage()
              + " ("
              + SftpConstants.getStatusName(sftp.getStatus())
              + ")",
          e);
    }
    return transfer.failed(transfer.remotePath() + ": " + e.getMessage(), e);
  }

  /** Whether MINA's wait for an SFTP answer ended on an interrupt (it clears the flag). */
  private static boolean interruptedWait(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof InterruptedIOException || cause instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isDirectory(SftpClient sftp, FileTransfer transfer) {
    try {
      return sftp.stat(transfer.remotePath()).isDirectory();
    } catch (IOException e) {
      return false;
    }
  }

  private static void closeQuietly(SftpClient sftp) {
    try {
      sftp.close();
    } catch (IOException e) {
      // Closing is best effort: the channel goes with the session at the latest.
    }
  }
}
