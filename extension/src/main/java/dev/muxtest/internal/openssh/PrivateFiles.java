package dev.muxtest.internal.openssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files in a private control directory: created 0600 from the start (never created and chmodded
 * after), new (a file or link already there is an error, never followed or truncated), and opened
 * relative to the directory itself, which is opened without following a link and checked to be the
 * private directory it was made as.
 */
final class PrivateFiles {

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private static final Set<OpenOption> CREATE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

  private PrivateFiles() {}

  /**
   * Writes {@code content} to the new file {@code name} in {@code directory}.
   *
   * @throws FileAlreadyExistsException if anything, a link too, is there already
   * @throws IOException if {@code directory} is not a private directory, or on any other failure
   */
  static void write(Path directory, String name, byte[] content) throws IOException {
    try (DirectoryStream<Path> parent = Files.newDirectoryStream(parent(directory))) {
      if (parent instanceof SecureDirectoryStream<Path> secure) {
        try (SecureDirectoryStream<Path> dir =
            secure.newDirectoryStream(directory.getFileName(), LinkOption.NOFOLLOW_LINKS)) {
          requirePrivate(dir, directory);
          try (SeekableByteChannel channel =
              dir.newByteChannel(Path.of(name), CREATE, OWNER_ONLY)) {
            writeAll(channel, content);
          }
        }
        return;
      }
    }
    // No secure directory streams on this platform: CREATE_NEW (O_EXCL) still fails on a link.
    try (SeekableByteChannel channel =
        Files.newByteChannel(directory.resolve(name), CREATE, OWNER_ONLY)) {
      writeAll(channel, content);
    }
  }

  /**
   * Writes {@code content} to {@code name} in {@code directory} at once: into a new private file
   * {@code name + ".new"}, then renamed over {@code name}, so that a reader sees all or nothing.
   */
  static void writeAtomically(Path directory, String name, byte[] content) throws IOException {
    String partial = name + ".new";
    write(directory, partial, content);
    try (DirectoryStream<Path> parent = Files.newDirectoryStream(parent(directory))) {
      if (parent instanceof SecureDirectoryStream<Path> secure) {
        try (SecureDirectoryStream<Path> dir =
            secure.newDirectoryStream(directory.getFileName(), LinkOption.NOFOLLOW_LINKS)) {
          requirePrivate(dir, directory);
          dir.move(Path.of(partial), dir, Path.of(name));
        }
        return;
      }
    }
    Files.move(directory.resolve(partial), directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }

  private static Path parent(Path directory) {
    return directory.toAbsolutePath().getParent();
  }

  private static void requirePrivate(SecureDirectoryStream<Path> dir, Path directory)
      throws IOException {
    PosixFileAttributes opened =
        dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
    if (!opened.isDirectory() || !opened.permissions().equals(ControlDirectory.PRIVATE)) {
      throw new FileSystemException(
          directory.toString(), null, "not a private (0700) directory any more");
    }
  }

  private static void writeAll(SeekableByteChannel channel, byte[] content) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(content);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
