package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.DownloadFile;
import dev.muxtest.internal.engine.FileTransfer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A file transfer on the OpenSSH engine: the {@code sftp} program (beside the configured {@code
 * ssh}) with the master's own configuration, its ssh a multiplexing client of the control socket
 * that cannot fall back to a connection of its own ({@code ControlMaster=no}, a {@code
 * ProxyCommand} that fails). The paths never reach an argument: they go in a batch file in the
 * master's private directory, quoted as sftp's own parser reads it. sftp streams the file itself.
 */
final class OpenSshFileTransfer {

  /**
   * sftp reads each batch line into a buffer of 2048 bytes; a longer line would be cut, so it is
   * refused.
   */
  static final int MAX_BATCH_LINE = 2047;

  private OpenSshFileTransfer() {}

  /**
   * Runs {@code transfer} within {@code left}.
   *
   * @throws SshOperationException from {@link FileTransfer#failed(String)} or {@link
   *     FileTransfer#timedOut()}, or if sftp did not go over the master
   */
  static void run(MuxClient client, FileTransfer transfer, Duration left, String server) {
    if (transfer.direction() == FileTransfer.Direction.DOWNLOAD) {
      download(client, transfer, left, server);
      return;
    }
    long deadline = System.nanoTime() + left.toNanos();
    if (sftp(client, transfer, "cd -- " + quoted(transfer.remotePath()), left, server, null)
        .isEmpty()) {
      // sftp's put would write into a directory; the MINA engine's, and ours, names the file.
      throw transfer.failed(transfer.remotePath() + ": is a directory (name the file to write)");
    }
    Duration rest = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    sftp(client, transfer, batchLine(transfer), rest, server, null)
        .ifPresent(
            failure -> {
              throw transfer.failed(failure);
            });
  }

  /**
   * sftp writes a {@link DownloadFile}, watched against the size bound, moved over the target only
   * when sftp succeeded. sftp itself refuses a remote file that is not regular; {@code -p} gives
   * the file the remote mode (it was made 0600, and sftp keeps an existing file's mode without it).
   */
  private static void download(
      MuxClient client, FileTransfer transfer, Duration left, String server) {
    try (DownloadFile file = DownloadFile.create(transfer)) {
      String line =
          "get -p -- " + quoted(transfer.remotePath()) + " " + quoted(file.path().toString());
      sftp(client, transfer, line, left, server, file.path())
          .ifPresent(
              failure -> {
                throw transfer.failed(failure);
              });
      int mode;
      try {
        mode = DownloadFile.mode(file.path());
      } catch (IOException e) {
        throw transfer.failed(file.path() + ": " + e.getMessage(), e);
      }
      file.moveIntoPlace(mode);
    }
  }

  /**
   * Runs one batch line; empty if sftp succeeded, else its words.
   *
   * @throws SshOperationException if it timed out or did not go over the master
   */
  private static Optional<String> sftp(
      MuxClient client,
      FileTransfer transfer,
      String line,
      Duration left,
      String server,
      Path written) {
    if (line.getBytes(StandardCharsets.UTF_8).length > MAX_BATCH_LINE) {
      throw transfer.failed(
          "the two paths are too long for the sftp program's batch line (at most "
              + MAX_BATCH_LINE
              + " bytes, quoted)");
    }
    Path batch = null;
    try {
      batch = Files.createTempFile(client.directory(), "xfer", ".batch");
      Files.writeString(batch, line + "\n", StandardCharsets.UTF_8);
      SshCommand.Result result;
      try {
        result =
            written == null
                ? SshCommand.run(
                    command(client, batch), Map.of(), client.directory(), left, client.maxOutput())
                : SshCommand.run(
                    command(client, batch),
                    Map.of(),
                    client.directory(),
                    left,
                    client.maxOutput(),
                    written,
                    transfer.maxSize());
      } catch (SshCommand.TimedOut e) {
        throw transfer.timedOut();
      } catch (SshCommand.FileTooLarge e) {
        throw transfer.tooLarge();
      } catch (SshOperationException e) {
        // SshCommand has ended sftp and set the flag again.
        throw Thread.currentThread().isInterrupted() ? transfer.interrupted(e) : e;
      }
      if (result.exitCode() == 0) {
        return Optional.empty();
      }
      String stderr = result.stderr();
      if (client.mode() != ControlMaster.NO && MuxClient.isMuxFailure(stderr)) {
        throw new SshOperationException(
            transfer.describe()
                + ": sftp did not run over the master to "
                + server
                + ", and no second connection was made: "
                + MuxClient.muxFailureCause(stderr).replaceAll(": $", ""));
      }
      return Optional.of(
          "sftp exited with "
              + result.exitCode()
              + ": "
              + stderr
                  .lines()
                  .map(String::strip)
                  .filter(l -> !l.isEmpty())
                  .collect(Collectors.joining("; ")));
    } catch (IOException e) {
      throw transfer.failed("cannot write sftp's batch file: " + e.getMessage(), e);
    } finally {
      if (batch != null) {
        try {
          Files.deleteIfExists(batch);
        } catch (IOException e) {
          // The private directory goes with the master.
        }
      }
    }
  }

  /** {@code sftp -F <config> -S <ssh> <mux options> -b <batch> -- <server alias>}. */
  static List<String> command(MuxClient client, Path batch) {
    List<String> command =
        new ArrayList<>(
            List.of(
                // No -q: it would pass on to ssh and silence the mux client's own words.
                sftpExecutable(client.executable()),
                "-F",
                client.config().toString(),
                "-S",
                client.executable()));
    command.addAll(client.multiplexingOptions());
    command.addAll(List.of("-b", batch.toString(), "--", OpenSshConfig.HOST_ALIAS));
    return command;
  }

  /** The sftp beside a configured ssh path, else sftp on the PATH beside ssh. */
  static String sftpExecutable(String sshExecutable) {
    Path parent = Path.of(sshExecutable).getParent();
    return parent == null ? "sftp" : parent.resolve("sftp").toString();
  }

  /**
   * {@code put -- "local" "remote"} or {@code get -- "remote" "local"}: {@code --} ends sftp's own
   * options (a path may start with '-').
   */
  static String batchLine(FileTransfer transfer) {
    String local = quoted(transfer.local().toString());
    String remote = quoted(transfer.remotePath());
    return transfer.direction() == FileTransfer.Direction.UPLOAD
        ? "put -- " + local + " " + remote
        : "get -- " + remote + " " + local;
  }

  /**
   * A path as one argument of sftp's parser, taken literally. Inside double quotes sftp escapes the
   * glob characters itself (a source is globbed, a target is not, and either way they stay
   * literal); a backslash is written doubled and a double quote escaped, which sftp reads back
   * alike for a globbed source and a target. Control characters were refused before.
   */
  static String quoted(String path) {
    return "\"" + path.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
