package dev.muxtest.internal.engine;

import dev.muxtest.SshOperationException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Where a download is written, for both engines: a temporary file made new (never an existing one,
 * nor through a link), 0600 from the start, in the target's own directory, and moved over the
 * target in one rename only when the whole file arrived. A failure, a timeout or a file over {@link
 * FileTransfer#maxSize()} leaves the target as it was and no temporary file. The rename replaces
 * the target's directory entry itself, so a link planted there after the check is replaced, never
 * followed.
 */
public final class DownloadFile implements AutoCloseable {

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final FileTransfer transfer;
  private final Path temporary;
  private boolean moved;

  private DownloadFile(FileTransfer transfer, Path temporary) {
    this.transfer = transfer;
    this.temporary = temporary;
  }

  /**
   * Makes the temporary file of {@code transfer}'s download beside its target.
   *
   * @throws SshOperationException from {@link FileTransfer#failed(String)} naming the target's
   *     directory, if the file cannot be made there
   */
  public static DownloadFile create(FileTransfer transfer) {
    Path target = transfer.local();
    try {
      // A dot name, so that a listing or a glob of the directory passes it by while it is written.
      Path temporary =
          Files.createTempFile(
              target.getParent(),
              ".muxtest-download-",
              ".part",
              PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      return new DownloadFile(transfer, temporary);
    } catch (AccessDeniedException e) {
      throw transfer.failed(target.getParent() + ": permission denied", e);
    } catch (NoSuchFileException e) {
      throw transfer.failed(target.getParent() + ": no such directory", e);
    } catch (IOException e) {
      throw transfer.failed(target.getParent() + ": " + e.getMessage(), e);
    }
  }

  /** The temporary file (for a program that writes it, such as OpenSSH's sftp). */
  public Path path() {
    return temporary;
  }

  /**
   * The temporary file, opened for writing; writing more than {@link FileTransfer#maxSize()} bytes
   * fails with {@link FileTransfer#tooLarge()}.
   */
  public OutputStream output() throws IOException {
    OutputStream file =
        Files.newOutputStream(
            temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    return new FilterOutputStream(file) {
      private long written;

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        written += length;
        if (written > transfer.maxSize()) {
          throw transfer.tooLarge();
        }
        out.write(bytes, offset, length);
      }

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }
    };
  }

  /**
   * Gives the file {@code mode} (the remote file's permission bits; set-id and sticky bits are not
   * carried) and moves it over the target in one rename.
   *
   * @throws SshOperationException naming the target, if either fails (the temporary file is then
   *     removed by {@link #close()})
   */
  public void moveIntoPlace(int mode) {
    try {
      if (Files.size(temporary) > transfer.maxSize()) {
        throw transfer.tooLarge();
      }
      Files.setPosixFilePermissions(temporary, permissions(mode));
      Files.move(temporary, transfer.local(), StandardCopyOption.ATOMIC_MOVE);
      moved = true;
    } catch (IOException e) {
      throw transfer.failed(transfer.local() + ": cannot be replaced: " + e.getMessage(), e);
    }
  }

  /** Removes the temporary file unless it was moved into place. */
  @Override
  public void close() {
    if (!moved) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException e) {
        // Best effort, on the way out of a failure already reported: what is left is 0600.
      }
    }
  }

  /** The permission bits {@code mode & 0777} as a set. */
  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values();
    // values() runs OWNER_READ .. OTHERS_EXECUTE, bit 8 down to bit 0.
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << (bits.length - 1 - i))) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }

  /** The permission bits of {@code local}, as a mode ({@code 0600}, ...): what an upload sends. */
  public static int mode(Path local) throws IOException {
    Set<PosixFilePermission> set = Files.getPosixFilePermissions(local);
    PosixFilePermission[] bits = PosixFilePermission.values();
    int mode = 0;
    for (int i = 0; i < bits.length; i++) {
      if (set.contains(bits[i])) {
        mode |= 1 << (bits.length - 1 - i);
      }
    }
    return mode;
  }
}
