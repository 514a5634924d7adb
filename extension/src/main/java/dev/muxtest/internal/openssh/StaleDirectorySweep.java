package dev.muxtest.internal.openssh;

import dev.muxtest.internal.engine.Processes;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sweep a new control directory makes of its base: directories that runs now gone left behind
 * (their owner JVM, of this boot, PID namespace and host, has ended) have their orphaned master
 * ended and are removed with their private keys; directories of live owners, and anything this user
 * did not make (another owner, another mode, a link, a control entry that is no socket), are never
 * modified.
 */
final class StaleDirectorySweep {

  private static final System.Logger LOG = System.getLogger(StaleDirectorySweep.class.getName());

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

  /**
   * Removes directories under {@code base} that runs now gone left behind, and ends their masters.
   * Only on platforms with secure directory streams: each directory is checked and removed through
   * a handle opened without following links, so that nothing can be swapped in between.
   */
  static void sweep(Path base, Path own, String sshExecutable, Optional<HostIdentity> here) {
    if (here.isEmpty()) {
      LOG.log(Level.DEBUG, "Cannot tell this boot, PID namespace and host: {0} is not swept", base);
      return;
    }
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(base, ControlDirectory.PREFIX + "*")) {
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
          sweepOne(secure, base, name, me, own, sshExecutable, here.get());
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
      String sshExecutable,
      HostIdentity here)
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
      Optional<BasicFileAttributes> ctl = attributes(dir, Path.of(ControlDirectory.SOCKET));
      boolean socket =
          ctl.isPresent() && isSocket(path.resolve(ControlDirectory.SOCKET), ctl.get());
      if (ctl.isPresent() && !socket) {
        return; // an OpenSSH master makes a socket there, nothing else
      }
      Path socketPath = path.resolve(ControlDirectory.SOCKET);
      Optional<Owner> owner = readOwner(dir);
      if (owner.isPresent()) {
        if (owner.get().where().isEmpty()) {
          // An owner file of an older muxtest (pid and start time only): which boot, PID namespace
          // or host its pid belongs to cannot be told, so it is never judged.
          return;
        }
        if (!owner.get().where().get().equals(here)) {
          // Another container sharing the base, another host sharing it over NFS, or a boot
          // before: its pid means nothing here, and its master may well be alive.
          return;
        }
        if (owner.get().alive()) {
          return; // a run still going: its master, its directory
        }
        if (socket
            && ControlDirectory.answers(socketPath)
            && !endOrphanMaster(socketPath, sshExecutable, own)) {
          LOG.log(
              Level.WARNING,
              "The OpenSSH master on {0} outlived its JVM (pid {1}) and does not end; its directory is kept",
              socketPath,
              owner.get().pid());
          return;
        }
      } else if (!socket || ControlDirectory.answers(socketPath)) {
        // Made by an older muxtest, or being made right now: only a socket that no master answers
        // on any more tells that its run is gone.
        return;
      }
      LOG.log(
          Level.INFO,
          "Removing the control directory {0} of a run that ended without closing it{1}",
          path,
          owner.map(o -> " (JVM pid " + o.pid() + ")").orElse(""));
      ControlDirectory.deleteContents(dir);
    }
    base.deleteDirectory(name);
  }

  private static boolean isOurs(PosixFileAttributes attributes, UserPrincipal me) {
    return attributes.isDirectory()
        && !attributes.isSymbolicLink()
        && attributes.owner().equals(me)
        && attributes.permissions().equals(ControlDirectory.PRIVATE);
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

  /** The JVM that made a directory: its pid and start time, and where that pid means something. */
  record Owner(long pid, Optional<Instant> start, Optional<HostIdentity> where) {

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
    Path name = Path.of(ControlDirectory.OWNER);
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
    String boot = null;
    String namespace = null;
    String host = null;
    for (String line : text.split("\n")) {
      try {
        if (line.startsWith("boot=")) {
          boot = line.substring(5).strip();
        } else if (line.startsWith("pidns=")) {
          namespace = line.substring(6).strip();
        } else if (line.startsWith("host=")) {
          host = line.substring(5).strip();
        } else if (line.startsWith("pid=")) {
          pid = Long.parseLong(line.substring(4).strip());
        } else if (line.startsWith("start=") && !line.substring(6).strip().equals("-")) {
          start = Optional.of(Instant.parse(line.substring(6).strip()));
        }
      } catch (NumberFormatException | DateTimeParseException e) {
        return Optional.empty();
      }
    }
    Optional<HostIdentity> where =
        boot == null || namespace == null || host == null
            ? Optional.empty()
            : Optional.of(new HostIdentity(boot, namespace, host));
    return pid == null ? Optional.empty() : Optional.of(new Owner(pid, start, where));
  }

  /**
   * Ends the master on {@code socket}, whose JVM is gone: {@code -O exit}, then its process (the
   * pid the master itself reports to {@code -O check}) is waited for, and killed if it stays, but
   * only if its command line says it is this socket's master ({@link MasterCommandLine}). Uses no
   * config ({@code -F /dev/null}), so nothing in the old directory plays a part. Whether the master
   * is gone.
   */
  private static boolean endOrphanMaster(Path socket, String sshExecutable, Path workDir) {
    if (OpenSshConfig.whyUnusable(socket).isPresent()) {
      return false;
    }
    LOG.log(
        Level.INFO, "Ending the OpenSSH master on {0}: the JVM that started it is gone", socket);
    Optional<ProcessHandle> reported =
        MasterProcess.masterOf(orphanControl(socket, "check", sshExecutable, workDir));
    Optional<ProcessHandle> master =
        reported.filter(p -> MasterCommandLine.isMasterOf(p, sshExecutable, socket));
    if (reported.isPresent() && master.isEmpty()) {
      LOG.log(
          Level.WARNING,
          "The socket {0} reports pid {1}, which is not ssh with that ControlPath: not signalled",
          socket,
          reported.get().pid());
      return false;
    }
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
    return master.map(process -> !Processes.running(process)).orElse(true)
        && !ControlDirectory.answers(socket);
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

  private StaleDirectorySweep() {}
}
