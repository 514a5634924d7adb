package dev.muxtest.internal.openssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.HostKeyPolicy;
import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sweep of control directories left behind: what it must never touch (other users', links,
 * directories not private, a control "socket" that is no socket), what it keeps (directories of
 * live JVMs) and what it removes (directories of JVMs that are gone, with their keys); and paths
 * OpenSSH would expand or refuse.
 */
class ControlDirectorySweepTest {

  @TempDir(cleanup = CleanupMode.ALWAYS)
  Path base;

  @Test
  void directoriesThatAreNotOursAreNeverTouched() throws Exception {
    // Anyone's (0777), with a regular file as "ctl" and a key-like file below.
    Path open = Files.createDirectory(base.resolve("muxtest-x"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.writeString(open.resolve(ControlDirectory.SOCKET), "not a socket");
    Path below = Files.createDirectories(open.resolve("d")).resolve("id");
    Files.writeString(below, "victim");
    // A link to someone's directory that looks stale itself: private, a dead socket.
    Path victim = privateDirectory("victim");
    deadSocket(victim.resolve(ControlDirectory.SOCKET));
    Files.writeString(victim.resolve("secret"), "victim");
    Path link = Files.createSymbolicLink(base.resolve("muxtest-y"), victim);
    // Ours and private, but "ctl" is a regular file, or a link to a dead socket.
    Path regularCtl = privateDirectory("muxtest-w");
    Files.writeString(regularCtl.resolve(ControlDirectory.SOCKET), "");
    Path linkedCtl = privateDirectory("muxtest-v");
    Files.createSymbolicLink(
        linkedCtl.resolve(ControlDirectory.SOCKET), victim.resolve(ControlDirectory.SOCKET));
    // Ours, with a dead socket, but not private.
    Path notPrivate = Files.createDirectory(base.resolve("muxtest-u"));
    Files.setPosixFilePermissions(notPrivate, PosixFilePermissions.fromString("rwxr-x---"));
    deadSocket(notPrivate.resolve(ControlDirectory.SOCKET));
    // Another user's, private, with a dead socket (only root can make one here).
    Path othersDirectory = privateDirectory("muxtest-z");
    deadSocket(othersDirectory.resolve(ControlDirectory.SOCKET));
    boolean othersMade = chownToNobody(othersDirectory);
    // And one that is stale and ours: the sweep ran, and removes it.
    Path stale = privateDirectory("muxtest-stale");
    deadSocket(stale.resolve(ControlDirectory.SOCKET));

    Path fresh = ControlDirectory.create(Optional.of(base), "ssh");
    try {
      assertThat(stale).as("our own stale directory").doesNotExist();
      assertThat(open.resolve(ControlDirectory.SOCKET)).hasContent("not a socket");
      assertThat(below).hasContent("victim");
      assertThat(Files.isSymbolicLink(link)).isTrue();
      assertThat(victim.resolve("secret")).hasContent("victim");
      assertThat(victim.resolve(ControlDirectory.SOCKET)).exists();
      assertThat(regularCtl.resolve(ControlDirectory.SOCKET)).exists();
      assertThat(Files.isSymbolicLink(linkedCtl.resolve(ControlDirectory.SOCKET))).isTrue();
      assertThat(notPrivate.resolve(ControlDirectory.SOCKET)).exists();
      if (othersMade) {
        assertThat(othersDirectory.resolve(ControlDirectory.SOCKET)).exists();
      }
    } finally {
      ControlDirectory.delete(fresh);
    }
    assertThat(fresh).doesNotExist();
  }

  @Test
  void directoriesOfLiveJvmsAreKeptAndThoseOfJvmsThatAreGoneRemovedWithTheirKeys()
      throws Exception {
    ProcessHandle self = ProcessHandle.current();
    Optional<Instant> selfStart = self.info().startInstant();
    assertThat(selfStart).isPresent();
    // A process that ran and is gone, as a JVM killed earlier.
    Process gone = new ProcessBuilder("sleep", "30").start();
    Optional<Instant> goneStart = gone.info().startInstant();
    gone.destroyForcibly();
    assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();

    Path live = privateDirectory("muxtest-live");
    ControlDirectory.recordOwner(live, self.pid(), selfStart, HostIdentity.current());
    deadSocket(live.resolve(ControlDirectory.SOCKET)); // its master lost its connection, say
    Files.writeString(live.resolve("id"), "key");
    Path goneWithoutSocket = privateDirectory("muxtest-gone");
    ControlDirectory.recordOwner(goneWithoutSocket, gone.pid(), goneStart, HostIdentity.current());
    Files.writeString(goneWithoutSocket.resolve("id"), "key");
    Path goneWithSocket = privateDirectory("muxtest-gone-socket");
    ControlDirectory.recordOwner(goneWithSocket, gone.pid(), goneStart, HostIdentity.current());
    deadSocket(goneWithSocket.resolve(ControlDirectory.SOCKET));
    Files.createDirectory(goneWithSocket.resolve("sub"));
    Files.writeString(goneWithSocket.resolve("sub").resolve("file"), "x");
    // This JVM's pid, but another start time: the pid was reused, the owner is gone.
    Path reusedPid = privateDirectory("muxtest-reused");
    ControlDirectory.recordOwner(
        reusedPid,
        self.pid(),
        Optional.of(selfStart.get().minus(Duration.ofHours(1))),
        HostIdentity.current());

    Path fresh = ControlDirectory.create(Optional.of(base), "ssh");
    try {
      assertThat(live.resolve("id")).as("a live JVM's directory").exists();
      assertThat(goneWithoutSocket).doesNotExist();
      assertThat(goneWithSocket).doesNotExist();
      assertThat(reusedPid).doesNotExist();
      assertThat(fresh.resolve(ControlDirectory.OWNER))
          .content()
          .startsWith("pid=" + self.pid() + "\nstart=");
    } finally {
      ControlDirectory.delete(fresh);
    }
  }

  @Test
  void deletingNeverFollowsALink() throws Exception {
    Path victim = privateDirectory("victim");
    Files.writeString(victim.resolve("secret"), "victim");
    Path directory = privateDirectory("muxtest-1");
    Files.createSymbolicLink(directory.resolve("d"), victim);
    Path linkToDirectory = Files.createSymbolicLink(base.resolve("muxtest-2"), victim);

    ControlDirectory.delete(directory);
    ControlDirectory.delete(linkToDirectory);

    assertThat(directory).doesNotExist();
    assertThat(Files.isSymbolicLink(linkToDirectory)).isTrue();
    assertThat(victim.resolve("secret")).hasContent("victim");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a%d", "b${HOME}", "c\"q", "d\\\\e", "f\\ g", "e\nf"})
  void aControlDirectoryThatOpenSshWouldExpandIsRefusedNamingTheKey(String name) {
    Path configured = base.resolve(name);

    assertThatThrownBy(() -> ControlDirectory.create(Optional.of(configured), "ssh"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Configuration parameter '"
                + Settings.CONTROL_DIRECTORY.name()
                + "' names "
                + configured)
        .hasMessageContaining("which OpenSSH cannot use as it is: it contains");
    assertThat(configured).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a%d", "b${HOME}", "c\"q"})
  void aTmpdirThatOpenSshWouldExpandGivesWayToSlashTmp(String name) throws IOException {
    Path tmpdir = Files.createDirectory(base.resolve(name));

    Path made = ControlDirectory.create(Optional.empty(), tmpdir, "ssh");
    try {
      assertThat(made.getParent()).isEqualTo(Path.of("/tmp"));
      assertThat(tmpdir).isEmptyDirectory();
    } finally {
      ControlDirectory.delete(made);
    }
  }

  @Test
  void identityAndKnownHostsFilesThatOpenSshWouldExpandAreRefused() throws IOException {
    Path directory = privateDirectory("muxtest-config");
    KeyPair identity = KeyMaterial.generate();
    Path controlPath = directory.resolve(ControlDirectory.SOCKET);
    Path badKey = base.resolve("keys%h").resolve("id");
    Path badKnownHosts = base.resolve("${HOME}").resolve("known_hosts");
    Path goodKey = base.resolve("id");
    Path goodKnownHosts = base.resolve("known hosts");

    assertThatThrownBy(
            () ->
                OpenSshConfig.write(
                    directory,
                    new OutsideServer(Optional.of(badKey), goodKnownHosts),
                    identity,
                    Settings.DEFAULTS,
                    controlPath,
                    Optional.empty()))
        .isExactlyInstanceOf(SshOperationException.class)
        .hasMessageContaining("cannot use the identity file " + badKey)
        .hasMessageContaining("'%'");
    assertThatThrownBy(
            () ->
                OpenSshConfig.write(
                    directory,
                    new OutsideServer(Optional.of(goodKey), badKnownHosts),
                    identity,
                    Settings.DEFAULTS,
                    controlPath,
                    Optional.empty()))
        .isExactlyInstanceOf(SshOperationException.class)
        .hasMessageContaining("cannot use the known_hosts file " + badKnownHosts)
        .hasMessageContaining("'${'");
    assertThat(directory.resolve("config")).as("nothing written").doesNotExist();

    // A space is fine: the config quotes paths.
    Path config =
        OpenSshConfig.write(
            directory,
            new OutsideServer(Optional.of(goodKey), goodKnownHosts),
            identity,
            Settings.DEFAULTS,
            controlPath,
            Optional.empty());
    assertThat(config).content().contains("UserKnownHostsFile \"" + goodKnownHosts + "\"");
  }

  @Test
  void aRecordOfAnotherPidNamespaceIsNeverJudgedAndItsPidNeverSignalled() throws Exception {
    // The owner is "gone" as this namespace sees it (its pid runs, started at another time), its
    // master answers, and the ssh below reports a process of this test as that master: a sweep in
    // another namespace must leave all of it alone.
    Process victim = new ProcessBuilder("sleep", "600").start();
    try {
      Path other = privateDirectory("muxtest-other-ns");
      writeOwner(
          other, victim.pid(), Instant.parse("2020-01-01T00:00:00Z"), bootId(), "1", hostName());
      Path forgedBoot = privateDirectory("muxtest-other-boot");
      writeOwner(
          forgedBoot,
          victim.pid(),
          Instant.parse("2020-01-01T00:00:00Z"),
          "00000000-0000-0000-0000-000000000000",
          pidNamespace(),
          hostName());
      // Another host's directory whose socket does not answer here (NFS): kept too.
      Path unreachable = privateDirectory("muxtest-other-host");
      writeOwner(
          unreachable,
          victim.pid(),
          Instant.parse("2020-01-01T00:00:00Z"),
          bootId(),
          pidNamespace(),
          "another-host.example");
      deadSocket(unreachable.resolve(ControlDirectory.SOCKET));
      // An older muxtest's record (pid and start time only): where its pid belongs is unknown.
      Path oldFormat = privateDirectory("muxtest-old-format");
      Files.writeString(
          oldFormat.resolve(ControlDirectory.OWNER),
          "pid=" + victim.pid() + "\nstart=2020-01-01T00:00:00Z\n");
      deadSocket(oldFormat.resolve(ControlDirectory.SOCKET));
      try (ServerSocketChannel answering = listening(other.resolve(ControlDirectory.SOCKET));
          ServerSocketChannel answeringToo =
              listening(forgedBoot.resolve(ControlDirectory.SOCKET))) {
        String ssh = fakeSsh(victim.pid()).toString();

        Path fresh = ControlDirectory.create(Optional.of(base), ssh);
        try {
          assertThat(victim.isAlive()).as("the process the forged record names").isTrue();
          assertThat(other.resolve(ControlDirectory.OWNER)).exists();
          assertThat(forgedBoot.resolve(ControlDirectory.OWNER)).exists();
          assertThat(unreachable.resolve(ControlDirectory.OWNER)).exists();
          assertThat(oldFormat.resolve(ControlDirectory.OWNER)).exists();
        } finally {
          ControlDirectory.delete(fresh);
        }
      }
    } finally {
      victim.destroyForcibly();
    }
  }

  @Test
  void anSshLookingPidWithoutThisControlPathIsNeverSignalled() throws Exception {
    Path ssh = fakeSsh(0); // placeholder, rewritten below with the pid
    // "ssh" as argv[0], the configured one, but its command line names no ControlPath of ours.
    Process lookalike = new ProcessBuilder("bash", "-c", "exec -a '" + ssh + "' sleep 600").start();
    try {
      ssh = fakeSsh(lookalike.pid());
      Process gone = new ProcessBuilder("sleep", "30").start();
      Optional<Instant> goneStart = gone.info().startInstant();
      gone.destroyForcibly();
      assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Path orphan = privateDirectory("muxtest-orphan");
      writeOwner(orphan, gone.pid(), goneStart.orElseThrow(), bootId(), pidNamespace(), hostName());
      try (ServerSocketChannel answering = listening(orphan.resolve(ControlDirectory.SOCKET))) {
        Path fresh = ControlDirectory.create(Optional.of(base), ssh.toString());
        ControlDirectory.delete(fresh);
        assertThat(lookalike.isAlive())
            .as("a process that is not this directory's master")
            .isTrue();
        assertThat(orphan.resolve(ControlDirectory.OWNER))
            .as("a master that cannot be ended keeps its directory")
            .exists();
      }
    } finally {
      lookalike.destroyForcibly();
    }
  }

  /** An owner record as a run of another namespace, boot or host would write it. */
  static void writeOwner(
      Path directory, long pid, Instant start, String boot, String pidNamespace, String host)
      throws IOException {
    Files.writeString(
        directory.resolve(ControlDirectory.OWNER),
        String.format(
            "pid=%d\nstart=%s\nboot=%s\npidns=%s\nhost=%s\n",
            pid, start, boot, pidNamespace, host));
  }

  static String bootId() throws IOException {
    return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
  }

  static String pidNamespace() throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("\\D", "");
  }

  static String hostName() throws IOException {
    return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
  }

  /**
   * A stand-in for the configured ssh: {@code -O check} reports {@code pid} as the master's, as a
   * real master's socket would; {@code -O exit} does nothing.
   */
  private Path fakeSsh(long pid) throws IOException {
    Path script = base.resolve("bin").resolve("ssh");
    Files.createDirectories(script.getParent());
    Files.writeString(
        script,
        "#!/bin/sh\ncase \"$*\" in *\"-O check\"*) echo \"Master running (pid="
            + pid
            + ")\" >&2 ;; esac\nexit 0\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  /** A UNIX socket that answers (connects), as a live master's does. */
  private static ServerSocketChannel listening(Path path) throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    channel.bind(UnixDomainSocketAddress.of(path));
    return channel;
  }

  private Path privateDirectory(String name) throws IOException {
    return Files.createDirectory(
        base.resolve(name),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  /** A UNIX socket file nobody listens on any more: what a killed master leaves. */
  private static void deadSocket(Path path) throws IOException {
    try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      gone.bind(UnixDomainSocketAddress.of(path));
    }
  }

  /** Gives {@code directory} and its contents to user nobody; false where this user cannot. */
  private static boolean chownToNobody(Path directory) throws IOException {
    UserPrincipal nobody;
    try {
      nobody =
          directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      for (Path path : List.of(directory.resolve(ControlDirectory.SOCKET), directory)) {
        Files.setOwner(path, nobody);
      }
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
    return Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).equals(nobody);
  }

  /** A server outside the test, with its own identity and known_hosts files. */
  record OutsideServer(Optional<Path> identityFile, Path knownHosts) implements ServerEndpoint {

    @Override
    public String host() {
      return "example.invalid";
    }

    @Override
    public int port() {
      return 22;
    }

    @Override
    public String user() {
      return "tester";
    }

    @Override
    public HostKeyPolicy hostKeyPolicy() {
      return new HostKeyPolicy.KnownHosts(knownHosts);
    }

    @Override
    public void beforeConnect(PublicKey clientKey) {}

    @Override
    public List<String> acceptedLogins(PublicKey clientKey) {
      return List.of();
    }
  }
}
