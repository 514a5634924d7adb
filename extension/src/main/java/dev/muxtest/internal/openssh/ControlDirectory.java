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
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The private (0700) directory of one OpenSSH master: its control socket, key, known_hosts, config
 * and log, and an owner file naming the JVM that made it.
 *
 * <p>A master runs with ControlPersist and outlives a JVM that is killed; its directory keeps the
 * private key. So each new directory sweeps its base first: directories of owners that are gone
 * have their master ended and are removed. Only directories this user made are touched: owned by
 * this user, mode 0700, reached without following a link, with a control socket if any, whose owner
 * ran in this boot, PID namespace and host; anything else under the base is never modified. The
 * base itself must be safe for private keys ({@link SafeBase}).
 */
final class ControlDirectory {

  /** Name of the control socket inside the directory. */
  static final String SOCKET = "ctl";

  /**
   * Name of the file naming the directory's owner: the JVM's pid and start time, and the boot, PID
   * namespace and host they belong to.
   */
  static final String OWNER = "owner";

  /**
   * Longest control path that works on Linux (108-byte socket paths) and macOS (104): the master
   * first binds the path plus a dot and 16 random characters, and the terminating NUL counts too.
   */
  static final int MAX_CONTROL_PATH = 104 - 1 - 17;

  private static final System.Logger LOG = System.getLogger(ControlDirectory.class.getName());
  static final String PREFIX = "muxtest-";
  private static final Path FALLBACK_BASE = Path.of("/tmp");
  static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

  private ControlDirectory() {}

  /** Bases swept for the directories of runs now gone, in this JVM. */
  private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();

  /**
   * Makes a new private directory under the configured base, or under java.io.tmpdir (then /tmp if
   * that is too long for a socket path, or has characters OpenSSH would expand). Directories of
   * runs that are gone, found there, are removed, and their masters ended.
   *
   * @param sshExecutable the OpenSSH client, to end masters whose JVM is gone
   * @throws IllegalArgumentException if the configured base is too long for a socket path, or has
   *     characters OpenSSH would expand or refuse; or if the base is writable by others than this
   *     user and root without the sticky bit
   */
  static Path create(Optional<Path> configuredBase, String sshExecutable) {
    return create(configuredBase, Path.of(System.getProperty("java.io.tmpdir")), sshExecutable);
  }

  /** {@link #create(Optional, String)} with {@code tmpdir} for java.io.tmpdir. */
  static Path create(Optional<Path> configuredBase, Path tmpdir, String sshExecutable) {
    Path base;
    String source;
    if (configuredBase.isPresent()) {
      base = configuredBase.get().toAbsolutePath();
      source =
          String.format("Configuration parameter '%s' names %s", Settings.CONTROL_DIRECTORY, base);
      Optional<String> unusable = OpenSshConfig.whyUnusable(base);
      if (unusable.isPresent()) {
        throw new IllegalArgumentException(
            String.format(
                "%s, which OpenSSH cannot use as it is: %s; choose another directory",
                source, unusable.get()));
      }
      if (!fits(base)) {
        throw new IllegalArgumentException(
            String.format(
                "%s (%d bytes), too long for a control socket path: "
                    + "UNIX socket paths allow %d bytes here (a control path of at most %d bytes); choose a shorter directory",
                source, bytes(base), 104, MAX_CONTROL_PATH));
      }
    } else {
      Path tmp = tmpdir.toAbsolutePath();
      base = fits(tmp) && OpenSshConfig.whyUnusable(tmp).isEmpty() ? tmp : FALLBACK_BASE;
      source =
          base == tmp
              ? "System property 'java.io.tmpdir' names " + base
              : "The fallback base "
                  + base
                  + " (java.io.tmpdir is too long or has characters OpenSSH expands)";
    }
    Path directory;
    try {
      Files.createDirectories(base);
      directory =
          Files.createTempDirectory(base, PREFIX, PosixFilePermissions.asFileAttribute(PRIVATE));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot make a private control directory under " + base, e);
    }
    requireSafe(base, directory, source);
    try {
      ProcessHandle self = ProcessHandle.current();
      recordOwner(directory, self.pid(), self.info().startInstant(), HostIdentity.current());
    } catch (IOException e) {
      delete(directory);
      throw new UncheckedIOException("Cannot write the owner file in " + directory, e);
    }
    // Once per base and JVM: what runs now gone left behind is there from the start, and a sweep
    // reads every directory of the base (about 3 ms of each master's start otherwise).
    if (SWEPT.add(base)) {
      StaleDirectorySweep.sweep(base, directory, sshExecutable, HostIdentity.current());
    }
    return directory;
  }

  /**
   * Refuses a base that is not safe for private keys ({@link SafeBase}), removing the directory
   * just made in it. The directory's owner is this user's uid: the JDK has no call that tells it.
   */
  private static void requireSafe(Path base, Path directory, String source) {
    Optional<String> unsafe;
    try {
      int uid = (Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      unsafe = SafeBase.whyUnsafe(base, uid);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      delete(directory);
      throw new UncheckedIOException(
          "Cannot check the owner and mode of " + base,
          e instanceof IOException io ? io : new IOException(e));
    }
    if (unsafe.isPresent()) {
      delete(directory);
      throw new IllegalArgumentException(
          String.format(
              "%s, which is not safe for private keys: %s; choose a directory only this user (or root) "
                  + "can write, or one with the sticky bit such as /tmp",
              source, unsafe.get()));
    }
  }

  /**
   * Writes the owner file of {@code directory}: the owning JVM's pid and start time, and where that
   * pid means something (boot, PID namespace, host). Atomically, so that a sweep in another JVM
   * reads all of it or nothing; 0600 from the start.
   */
  static void recordOwner(
      Path directory, long pid, Optional<Instant> start, Optional<HostIdentity> where)
      throws IOException {
    String text =
        "pid="
            + pid
            + "\nstart="
            + start.map(Instant::toString).orElse("-")
            + "\n"
            + where
                .map(
                    w ->
                        "boot="
                            + w.bootId()
                            + "\npidns="
                            + w.pidNamespace()
                            + "\nhost="
                            + w.hostName()
                            + "\n")
                .orElse("");
    PrivateFiles.writeAtomically(directory, OWNER, text.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Deletes {@code directory} and everything in it, never following a link: a link inside is
   * removed, not what it points to; a {@code directory} that is a link is left alone.
   */
  static void delete(Path directory) {
    Path absolute = directory.toAbsolutePath();
    Path name = absolute.getFileName();
    if (Files.isSymbolicLink(absolute)) {
      LOG.log(
          Level.WARNING, "Not deleting {0}: it is a link, and links are not followed", absolute);
      return;
    }
    try (DirectoryStream<Path> parent = Files.newDirectoryStream(absolute.getParent())) {
      if (parent instanceof SecureDirectoryStream<Path> secure) {
        deleteTree(secure, name);
      } else {
        deleteByWalk(absolute);
      }
    } catch (NoSuchFileException e) {
      // gone already
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot delete {0}: {1}", directory, e.toString());
    }
  }

  /** Deletes {@code name} in {@code parent} and its contents, each opened relative to the last. */
  private static void deleteTree(SecureDirectoryStream<Path> parent, Path name) throws IOException {
    try (SecureDirectoryStream<Path> dir =
        parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
      deleteContents(dir);
    }
    parent.deleteDirectory(name);
  }

  static void deleteContents(SecureDirectoryStream<Path> dir) {
    List<Path> names = new ArrayList<>();
    dir.forEach(entry -> names.add(entry.getFileName()));
    for (Path name : names) {
      try {
        BasicFileAttributes attributes =
            dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (attributes.isDirectory()) {
          deleteTree(dir, name);
        } else {
          dir.deleteFile(name); // a link is removed itself, whatever it points to
        }
      } catch (NoSuchFileException e) {
        // gone already
      } catch (IOException e) {
        LOG.log(Level.WARNING, "Cannot delete {0}: {1}", name, e.toString());
      }
    }
  }

  /** Where the platform has no secure directory streams; Files.walk follows no links. */
  private static void deleteByWalk(Path directory) throws IOException {
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          LOG.log(Level.WARNING, "Cannot delete {0}: {1}", path, e.toString());
        }
      }
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
