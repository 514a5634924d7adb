package dev.muxtest.internal.openssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;

/** The OpenSSH engine's private directories, with real UNIX sockets. */
class ControlDirectoryTest {

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
  Path base;

  @Test
  void isPrivateAndShortEnoughForASocketPath() throws Exception {
    Path directory = ControlDirectory.create(Optional.of(base));
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

    assertThatThrownBy(() -> ControlDirectory.create(Optional.of(tooLong)))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessageStartingWith(
            "Configuration parameter 'muxtest.openssh.controlDir' names " + tooLong)
        .hasMessageContaining("too long for a control socket path");
  }

  @Test
  void staleControlDirectoryOfACrashedRunIsRemovedAndALiveOneKept() throws Exception {
    Path stale = Files.createDirectory(base.resolve("muxtest-stale"));
    Path live = Files.createDirectory(base.resolve("muxtest-live"));
    // A socket file nobody listens on any more: what a killed master leaves.
    try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      gone.bind(UnixDomainSocketAddress.of(stale.resolve(ControlDirectory.SOCKET)));
    }
    try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listening.bind(UnixDomainSocketAddress.of(live.resolve(ControlDirectory.SOCKET)));

      Path fresh = ControlDirectory.create(Optional.of(base));

      assertThat(stale).doesNotExist();
      assertThat(live.resolve(ControlDirectory.SOCKET)).exists();
      assertThat(fresh).isDirectory().isNotEqualTo(live);
    }
  }
}
