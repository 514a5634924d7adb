package dev.muxtest.internal.openssh;

import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The private (0700) directory of one OpenSSH master: its control socket, key, known_hosts, config
 * and log, and an owner file naming the JVM that made it.
 *
 * <p>A master runs with ControlPersist and outlives a JVM that is killed; its directory keeps the
 * private key. So each new directory sweeps its base first: directories of owners that are gone
 * have their master ended and are removed. Only directories this user made are touched: owned by
 * this user, mode 0700, reached without following a link, with a control socket if any; anything
 * else under the base is never modified.
 */
final class ControlDirectory {

  /** Name of the control socket inside the directory. */
  static final String SOCKET = "ctl";

  /** Name of the file naming the directory's owner: the JVM's pid and start time. */
  static final String OWNER = "owner";

  /**
   * Longest control path that works on Linux (108-byte socket paths) and macOS (104): the master
   * first binds the path plus a dot and 16 random characters, and the terminating NUL counts too.
   */
  static final int MAX_CONTROL_PATH = 104 - 1 - 17;

  private static final System.Logger LOG = System.getLogger(ControlDirectory.class.getName());
  private static final String PREFIX = "muxtest-";
  private static final Path FALLBACK_BASE = Path.of("/tmp");
  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rwx------");

  /** Bound on one {@code -O check} or {@code -O exit} of an orphaned master: local, no network. */
  private static final Duration ORPHAN_CONTROL_TIMEOUT = Duration.ofSeconds(10);

  /** Bound on an orphaned master ending after {@code -O exit}, and again after each signal. */
  private static final Duration ORPHAN_EXIT_WAIT = Duration.ofSeconds(5);

  /** Bound on what {@code ssh -O} may print; it prints a line. */
  private static final long CONTROL_OUTPUT = 64 * 1024;

  /** Largest owner file read: it holds two short lines. */
  private static final int OWNER_FILE_LIMIT = 1024;

  /**
   * How far two readings of one process's start time may differ: the JDK derives it from the boot
   * time, which the kernel reports to the second and may adjust.
   */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(3);

  private ControlDirectory() {}

  /**
   * Makes a new private directory under the configured base, or under java.io.tmpdir (then /tmp if
   * that is too long for a socket path, or has characters OpenSSH would expand). Directories of
   * runs that are gone, found there, are removed, and their masters ended.
   *
   * @param sshExecutable the OpenSSH client, to end masters whose JVM is gone
   * @throws ExtensionConfigurationException if the configured base is too long for a socket path,
   *     or has characters OpenSSH would expand or refuse
   */
  static Path create(Optional<Path> configuredBase, String sshExecutable) {
    return create(configuredBase, Path.of(System.getProperty("java.io.tmpdir")), sshExecutable);
  }

  /** {@link #create(Optional, String)} with {@code tmpdir} for java.io.tmpdir. */
  static Path create(Optional<Path> configuredBase, Path tmpdir, String sshExecutable) {
    Path base;
    if (configuredBase.isPresent()) {
      base = configuredBase.get().toAbsolutePath();
      Optional<String> unusable = OpenSshConfig.whyUnusable(base);
      if (unusable.isPresent()) {
        throw new ExtensionConfigurationException(
            String.format(
                "Configuration parameter '%s' names %s, which OpenSSH cannot use as it is: %s; choose another directory",
                Settings.CONTROL_DIRECTORY, base, unusable.get()));
      }
      if (!fits(base)) {
        throw new ExtensionConfigurationException(
            String.format(
                "Configuration parameter '%s' names %s (%d bytes), too long for a control socket path: "
                    + "UNIX socket paths allow %d bytes here (a control path of at most %d bytes); choose a shorter directory",
                Settings.CONTROL_DIRECTORY, base, bytes(base), 104, MAX_CONTROL_PATH));
      }
    } else {
      Path tmp = tmpdir.toAbsolutePath();
      base = fits(tmp) && OpenSshConfig.whyUnusable(tmp).isEmpty() ? tmp : FALLBACK_BASE;
    }
    Path directory;
    try {
      Files.createDirectories(base);
      directory =
          Files.createTempDirectory(base, PREFIX, PosixFilePermissions.asFileAttribute(PRIVATE));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot make a private control directory under " + base, e);
    }
    try {
      ProcessHandle self = ProcessHandle.current();
      recordOwner(directory, self.pid(), self.info().startInstant());
    } catch (IOException e) {
      delete(directory);
      throw new UncheckedIOException("Cannot write the owner file in " + directory, e);
    }
    sweep(base, directory, sshExecutable);
    return directory;
  }

  /**
   * Writes the owner file of {@code directory}: the owning JVM's pid and start time. Atomically, so
   * that a sweep in another JVM reads all of it or nothing.
   */
  static void recordOwner(Path directory, long pid, Optional<Instant> start) throws IOException {
    Path partial = directory.resolve(OWNER + ".new");
    Files.writeString(
        partial,
        "pid=" + pid + "\nstart=" + start.map(Instant::toString).orElse("-") + "\n",
        StandardCharsets.US_ASCII,
        StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    Files.move(partial, directory.resolve(OWNER), StandardCopyOption.ATOMIC_MOVE);
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

  private static void deleteContents(SecureDirectoryStream<Path> dir) {
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

  /**
   * Removes directories under {@code base} that runs now gone left behind, and ends their masters.
   * Only on platforms with secure directory streams: each directory is checked and removed through
   * a handle opened without following links, so that nothing can be swapped in between.
   */
  private static void sweep(Path base, Path own, String sshExecutable) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, PREFIX + "*")) {
      if (!(entries instanceof SecureDirectoryStream<Path> secure)) {
        LOG.log(Level.DEBUG, "No secure directory streams here: {0} is not swept", base);
        return;
      }
      UserPrincipal me = Files.getOwner(own, LinkOption.NOFOLLOW_LINKS);
      List<Path> names = new ArrayList<>();
      entries.forEach(entry -> names.add(entry.getFileName()));
      names.remove(own.getFileName());
      for (Path name : names) {
        try {
          sweepOne(secure, base, name, me, own, sshExecutable);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.DEBUG, "Left {0} as it is: {1}", base.resolve(name), e.toString());
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(
          Level.DEBUG, "Cannot look for stale control directories in {0}: {1}", base, e.toString());
    }
  }

  private static void sweepOne(
      SecureDirectoryStream<Path> base,
      Path basePath,
      Path name,
      UserPrincipal me,
      Path own,
      String sshExecutable)
      throws IOException {
    PosixFileAttributes seen =
        base.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .readAttributes();
    if (!isOurs(seen, me)) {
      return; // a link, a file, someone else's, or not private: never ours to touch
    }
    Path path = basePath.resolve(name);
    try (SecureDirectoryStream<Path> dir =
        base.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
      // What was opened is what was checked.
      PosixFileAttributes opened =
          dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
      if (!isOurs(opened, me) || !opened.fileKey().equals(seen.fileKey())) {
        return;
      }
      Optional<BasicFileAttributes> ctl = attributes(dir, Path.of(SOCKET));
      boolean socket = ctl.isPresent() && isSocket(path.resolve(SOCKET), ctl.get());
      if (ctl.isPresent() && !socket) {
        return; // an OpenSSH master makes a socket there, nothing else
      }
      Path socketPath = path.resolve(SOCKET);
      Optional<Owner> owner = readOwner(dir);
      if (owner.isPresent()) {
        if (owner.get().alive()) {
          return; // a run still going: its master, its directory
        }
        if (socket && answers(socketPath) && !endOrphanMaster(socketPath, sshExecutable, own)) {
          LOG.log(
              Level.WARNING,
              "The OpenSSH master on {0} outlived its JVM (pid {1}) and does not end; its directory is kept",
              socketPath,
              owner.get().pid());
          return;
        }
      } else if (!socket || answers(socketPath)) {
        // Made by an older muxtest, or being made right now: only a socket that no master answers
        // on any more tells that its run is gone.
        return;
      }
      LOG.log(
          Level.INFO,
          "Removing the control directory {0} of a run that ended without closing it{1}",
          path,
          owner.map(o -> " (JVM pid " + o.pid() + ")").orElse(""));
      deleteContents(dir);
    }
    base.deleteDirectory(name);
  }

  private static boolean isOurs(PosixFileAttributes attributes, UserPrincipal me) {
    return attributes.isDirectory()
        && !attributes.isSymbolicLink()
        && attributes.owner().equals(me)
        && attributes.permissions().equals(PRIVATE);
  }

  private static Optional<BasicFileAttributes> attributes(
      SecureDirectoryStream<Path> dir, Path name) throws IOException {
    try {
      return Optional.of(
          dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .readAttributes());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * A UNIX socket, not a link, FIFO or device: the file type bits say so where the JDK has them.
   */
  private static boolean isSocket(Path path, BasicFileAttributes attributes) {
    if (!attributes.isOther()) {
      return false;
    }
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & 0170000) == 0140000;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return true; // "other" in a private directory of ours: what else would an OpenSSH master make
    }
  }

  /** The JVM that made a directory: its pid and start time. */
  record Owner(long pid, Optional<Instant> start) {

    /** Whether that JVM still runs: a process with its pid, started when it did. */
    boolean alive() {
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty() || !Processes.running(process.get())) {
        return false;
      }
      Optional<Instant> started = process.get().info().startInstant();
      if (start.isEmpty() || started.isEmpty()) {
        return true; // cannot tell a reused pid from the owner: take it to be the owner
      }
      return Duration.between(start.get(), started.get()).abs().compareTo(START_TOLERANCE) <= 0;
    }
  }

  /** The owner file, if it is a regular file of the expected form; read without following links. */
  private static Optional<Owner> readOwner(SecureDirectoryStream<Path> dir) throws IOException {
    Path name = Path.of(OWNER);
    Optional<BasicFileAttributes> attributes = attributes(dir, name);
    if (attributes.isEmpty()
        || !attributes.get().isRegularFile()
        || attributes.get().size() > OWNER_FILE_LIMIT) {
      return Optional.empty();
    }
    ByteBuffer buffer = ByteBuffer.allocate(OWNER_FILE_LIMIT);
    try (SeekableByteChannel channel =
        dir.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      while (buffer.hasRemaining() && channel.read(buffer) > 0) {
        // reads the whole (small) file
      }
    }
    String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    Long pid = null;
    Optional<Instant> start = Optional.empty();
    for (String line : text.split("\n")) {
      try {
        if (line.startsWith("pid=")) {
          pid = Long.parseLong(line.substring(4).strip());
        } else if (line.startsWith("start=") && !line.substring(6).strip().equals("-")) {
          start = Optional.of(Instant.parse(line.substring(6).strip()));
        }
      } catch (NumberFormatException | DateTimeParseException e) {
        return Optional.empty();
      }
    }
    return pid == null ? Optional.empty() : Optional.of(new Owner(pid, start));
  }

  /**
   * Ends the master on {@code socket}, whose JVM is gone: {@code -O exit}, then its process (the
   * pid the master itself reports to {@code -O check}) is waited for, and killed if it stays. Uses
   * no config ({@code -F /dev/null}), so nothing in the old directory plays a part. Whether the
   * master is gone.
   */
  private static boolean endOrphanMaster(Path socket, String sshExecutable, Path workDir) {
    if (OpenSshConfig.whyUnusable(socket).isPresent()) {
      return false;
    }
    LOG.log(
        Level.INFO, "Ending the OpenSSH master on {0}: the JVM that started it is gone", socket);
    Optional<ProcessHandle> master =
        MasterProcess.masterOf(orphanControl(socket, "check", sshExecutable, workDir));
    orphanControl(socket, "exit", sshExecutable, workDir);
    master.ifPresent(
        process -> {
          if (!Processes.awaitEnd(process, ORPHAN_EXIT_WAIT)) {
            process.destroy();
            if (!Processes.awaitEnd(process, ORPHAN_EXIT_WAIT)) {
              process.destroyForcibly();
              Processes.awaitEnd(process, ORPHAN_EXIT_WAIT);
            }
          }
        });
    return master.map(process -> !Processes.running(process)).orElse(true) && !answers(socket);
  }

  private static SshCommand.Result orphanControl(
      Path socket, String operation, String sshExecutable, Path workDir) {
    return SshCommand.run(
        List.of(
            sshExecutable,
            "-F",
            "/dev/null",
            "-o",
            "ControlPath=\"" + socket + "\"", // quoted: OpenSSH splits an option value at spaces
            "-o",
            "BatchMode=yes",
            "-O",
            operation,
            "--",
            OpenSshConfig.HOST_ALIAS),
        Map.of(),
        workDir,
        ORPHAN_CONTROL_TIMEOUT,
        CONTROL_OUTPUT);
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
