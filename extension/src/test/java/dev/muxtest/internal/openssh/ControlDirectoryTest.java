package dev.muxtest.internal.openssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Settings;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenSSH engine's private directories, with real UNIX sockets. */
class ControlDirectoryTest {

  private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
  Path base;

  @Test
  void isPrivateAndShortEnoughForASocketPath() throws Exception {
    Path directory = ControlDirectory.create(Optional.of(base), "ssh");
    try {
      assertThat(Files.getPosixFilePermissions(directory))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(directory.resolve(ControlDirectory.SOCKET).toString().length())
          .isLessThanOrEqualTo(ControlDirectory.MAX_CONTROL_PATH);
    } finally {
      ControlDirectory.delete(directory);
    }
    assertThat(directory).doesNotExist();
  }

  @Test
  void configuredDirectoryTooLongForASocketIsRejectedWithTheKey() {
    Path tooLong = base.resolve("a".repeat(100));

    assertThatThrownBy(() -> ControlDirectory.create(Optional.of(tooLong), "ssh"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Configuration parameter 'muxtest.openssh.controlDir' names " + tooLong)
        .hasMessageContaining("too long for a control socket path");
  }

  @Test
  void aBaseWritableByOthersWithoutTheStickyBitIsRefusedNamingTheKey() throws Exception {
    Path open = Files.createDirectory(base.resolve("open"));
    chmod("777", open);

    assertThatThrownBy(() -> ControlDirectory.create(Optional.of(open), "ssh"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Configuration parameter 'muxtest.openssh.controlDir' names " + open)
        .hasMessageContaining("writable by group or others without the sticky bit");
    try (Stream<Path> left = Files.list(open)) {
      assertThat(left).as("nothing made in the refused base").isEmpty();
    }
    assertThatThrownBy(() -> ControlDirectory.create(Optional.empty(), open, "ssh"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("System property 'java.io.tmpdir' names " + open);
  }

  @Test
  void aStickyBaseLikeSlashTmpIsAccepted() throws Exception {
    Path sticky = Files.createDirectory(base.resolve("sticky"));
    chmod("1777", sticky);

    Path directory = ControlDirectory.create(Optional.of(sticky), "ssh");
    try {
      assertThat(directory.getParent()).isEqualTo(sticky);
      assertThat(Files.getPosixFilePermissions(directory.resolve(ControlDirectory.OWNER)))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    } finally {
      ControlDirectory.delete(directory);
    }
  }

  @Test
  void filesAreWrittenPrivateAndNeverThroughAPlantedLink() throws Exception {
    Path victim = base.resolve("victim");
    Files.writeString(victim, "victim");
    Path knownHosts = base.resolve("known_hosts");
    Files.writeString(knownHosts, "");
    Path directory = ControlDirectory.create(Optional.of(base), "ssh");
    try {
      Files.createSymbolicLink(directory.resolve("id"), victim);
      ControlDirectorySweepTest.OutsideServer server =
          new ControlDirectorySweepTest.OutsideServer(Optional.empty(), knownHosts);

      assertThatThrownBy(
              () ->
                  OpenSshConfig.write(
                      directory,
                      server,
                      KeyMaterial.generate(),
                      Settings.DEFAULTS,
                      directory.resolve(ControlDirectory.SOCKET),
                      Optional.empty()))
          .hasMessageContaining("Cannot write the OpenSSH files in " + directory);
      assertThat(victim).as("the file the planted link points at").hasContent("victim");

      Files.delete(directory.resolve("id"));
      OpenSshConfig.write(
          directory,
          server,
          KeyMaterial.generate(),
          Settings.DEFAULTS,
          directory.resolve(ControlDirectory.SOCKET),
          Optional.empty());
      for (String name : List.of("id", "known_hosts", "config", ControlDirectory.OWNER)) {
        assertThat(Files.getPosixFilePermissions(directory.resolve(name)))
            .as(name)
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      }
    } finally {
      ControlDirectory.delete(directory);
    }
  }

  private static void chmod(String mode, Path path) throws Exception {
    Process chmod = new ProcessBuilder("chmod", mode, path.toString()).start();
    assertThat(chmod.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(chmod.exitValue()).isZero();
  }

  @Test
  void staleControlDirectoryOfACrashedRunIsRemovedAndALiveOneKept() throws Exception {
    // Private directories of this user, as the engine makes them (an older muxtest: no owner file).
    Path stale = Files.createDirectory(base.resolve("muxtest-stale"), PRIVATE);
    Path live = Files.createDirectory(base.resolve("muxtest-live"), PRIVATE);
    // A socket file nobody listens on any more: what a killed master leaves.
    try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      gone.bind(UnixDomainSocketAddress.of(stale.resolve(ControlDirectory.SOCKET)));
    }
    try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listening.bind(UnixDomainSocketAddress.of(live.resolve(ControlDirectory.SOCKET)));

      Path fresh = ControlDirectory.create(Optional.of(base), "ssh");

      assertThat(stale).doesNotExist();
      assertThat(live.resolve(ControlDirectory.SOCKET)).exists();
      assertThat(fresh).isDirectory().isNotEqualTo(live);
    }
  }
}
