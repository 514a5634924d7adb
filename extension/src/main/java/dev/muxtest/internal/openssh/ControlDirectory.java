package dev.muxtest.internal.openssh;

import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The private (0700) directory of one OpenSSH master: its control socket, key, known_hosts, config
 * and log.
 */
final class ControlDirectory {

  /** Name of the control socket inside the directory. */
  static final String SOCKET = "ctl";

  /**
   * Longest control path that works on Linux (108-byte socket paths) and macOS (104): the master
   * first binds the path plus a dot and 16 random characters, and the terminating NUL counts too.
   */
  static final int MAX_CONTROL_PATH = 104 - 1 - 17;

  private static final System.Logger LOG = System.getLogger(ControlDirectory.class.getName());
  private static final String PREFIX = "muxtest-";
  private static final Path FALLBACK_BASE = Path.of("/tmp");

  private ControlDirectory() {}

  /**
   * Makes a new private directory under the configured base, or under java.io.tmpdir (then /tmp if
   * that is too long for a socket path). Control directories of crashed runs found there are
   * removed first.
   *
   * @throws ExtensionConfigurationException if the configured base is too long for a socket path
   */
  static Path create(Optional<Path> configuredBase) {
    Path base;
    if (configuredBase.isPresent()) {
      base = configuredBase.get().toAbsolutePath();
      if (!fits(base)) {
        throw new ExtensionConfigurationException(
            String.format(
                "Configuration parameter '%s' names %s (%d bytes), too long for a control socket path: "
                    + "UNIX socket paths allow %d bytes here (a control path of at most %d bytes); choose a shorter directory",
                Settings.CONTROL_DIRECTORY, base, bytes(base), 104, MAX_CONTROL_PATH));
      }
    } else {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
      base = fits(tmp) ? tmp : FALLBACK_BASE;
    }
    removeStale(base);
    try {
      Files.createDirectories(base);
      return Files.createTempDirectory(
          base,
          PREFIX,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot make a private control directory under " + base, e);
    }
  }

  /** Deletes {@code directory} and everything in it. */
  static void delete(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  LOG.log(Level.WARNING, "Cannot delete {0}: {1}", path, e.getMessage());
                }
              });
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot delete {0}: {1}", directory, e.getMessage());
    }
  }

  /**
   * A directory of ours whose control socket no master answers on any more is what a crashed run
   * left: removed. One whose master answers belongs to a live run: left alone.
   */
  private static void removeStale(Path base) {
    if (!Files.isDirectory(base)) {
      return;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, PREFIX + "*")) {
      for (Path dir : dirs) {
        Path socket = dir.resolve(SOCKET);
        if (Files.isDirectory(dir)
            && Files.isWritable(dir)
            && Files.exists(socket)
            && !answers(socket)) {
          LOG.log(
              Level.INFO,
              "Removing the stale control directory {0} of a run that ended without closing it",
              dir);
          delete(dir);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(
          Level.DEBUG,
          "Cannot look for stale control directories in {0}: {1}",
          base,
          e.getMessage());
    }
  }

  /** Whether a process listens on the UNIX socket at {@code socket}. */
  static boolean answers(Path socket) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean fits(Path base) {
    // base + "/" + PREFIX + up to 20 random digits + "/" + SOCKET
    return bytes(base) + 1 + PREFIX.length() + 20 + 1 + SOCKET.length() <= MAX_CONTROL_PATH;
  }

  private static int bytes(Path path) {
    return path.toString().getBytes(StandardCharsets.UTF_8).length;
  }
}
