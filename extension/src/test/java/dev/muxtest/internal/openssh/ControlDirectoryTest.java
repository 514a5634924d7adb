package dev.muxtest.internal.openssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
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
