package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.muxtest.internal.engine.KeyMaterial;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SshHost#ofControlSocket}: what it takes, and what it refuses before anything runs. */
class OwnMasterInputTest {

  @TempDir Path dir;

  /** A socket file nobody listens on: enough for the checks, which do not connect. */
  private Path socket(String name) throws Exception {
    Path path = dir.resolve(name);
    try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.bind(UnixDomainSocketAddress.of(path));
    }
    return path;
  }

  private SshHost plainHost() throws Exception {
    Path key = dir.resolve("id");
    Files.write(
        key, KeyMaterial.openSshPrivateKey(KeyMaterial.generate(), "own master input test"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    return SshHost.of("localhost", 22, "u", key, Files.writeString(dir.resolve("kh"), ""));
  }

  @Test
  void aSocketOfTheCurrentUserIsTakenAsAnAbsolutePathAndKeptByWithLoginLog() throws Exception {
    Path socket = socket("ctl");
    Path relative = Path.of("").toAbsolutePath().relativize(socket);

    SshHost host = SshHost.ofControlSocket(relative).withLoginLog(() -> "");

    assertThat(host.controlSocket()).contains(socket);
    assertThat(host.loginLog()).isPresent();
    assertThat(host.host()).isNull();
    assertThat(host.identityFile()).isNull();
    assertThat(host).hasToString("the user's own master on " + socket);
    assertThat(plainHost().controlSocket()).isEmpty();
  }

  @Test
  void nullMissingAndNonSocketPathsAreRefusedNamingThePath() throws Exception {
    Path missing = dir.resolve("missing");
    Path file = Files.writeString(dir.resolve("file"), "");

    assertThatThrownBy(() -> SshHost.ofControlSocket(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost.ofControlSocket: the control socket is null");
    assertThatThrownBy(() -> SshHost.ofControlSocket(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SshHost.ofControlSocket: the control socket \""
                + missing
                + "\" does not exist; open the master first (ssh -M -S "
                + missing
                + " -f -N user@host)");
    assertThatThrownBy(() -> SshHost.ofControlSocket(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + file + "\" is not a socket");
    assertThatThrownBy(() -> SshHost.ofControlSocket(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + dir + "\" is not a socket");
  }

  @Test
  void pathsOpenSshWouldExpandOrReadAsQuotesAreRefusedBeforeLookingAtTheFile() throws Exception {
    for (String name : new String[] {"c%h", "c${HOME}", "c\"q", "c\\", "c\nl"}) {
      Path path = dir.resolve(name);
      assertThatThrownBy(() -> SshHost.ofControlSocket(path))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("SshHost.ofControlSocket: the control socket ")
          .hasMessageContaining("cannot be used");
    }
  }

  @Test
  void aSocketOfAnotherUserIsRefused() throws Exception {
    Path socket = socket("theirs");
    UserPrincipal nobody;
    try {
      nobody =
          socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(socket, nobody);
    } catch (java.io.IOException notRoot) {
      assumeTrue(false, "changing a file's owner needs root: " + notRoot);
      return;
    }

    assertThatThrownBy(() -> SshHost.ofControlSocket(socket))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the control socket \"" + socket + "\" belongs to uid ")
        .hasMessageContaining("not to the current user");
  }

  @Test
  void aHostOfAControlSocketTakesNoJumpHostAndIsNone() throws Exception {
    SshHost own = SshHost.ofControlSocket(socket("ctl"));
    SshHost plain = plainHost();

    assertThatThrownBy(() -> own.withJumpHost(plain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("takes no jump host");
    assertThatThrownBy(() -> plain.withJumpHost(own))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be a jump host");
  }

  @Test
  void controlMasterNoAndAgentForwardingAreRefusedBeforeTheSocketIsUsed() throws Exception {
    SshHost own = SshHost.ofControlSocket(socket("ctl")); // nobody listens: never asked
    MasterOptions openSsh = MasterOptions.defaults().withEngine(Engine.OPENSSH);

    assertThatThrownBy(
            () -> SshMasters.connect(own, openSsh.withControlMaster(ControlMaster.NO)).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessage(
            "ControlMaster.NO opens a connection per command, which the user's own master on "
                + own.controlSocket().orElseThrow()
                + " never does: use ControlMaster.AUTO or YES");
    assertThatThrownBy(() -> SshMasters.connect(own, openSsh.withForwardAgent(true)).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("Agent forwarding is set when a master starts")
        .hasMessageContaining("ssh -M -A");
    assertThatThrownBy(() -> SshMasters.connect(own, Engine.MINA).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessageStartingWith(
            "The MINA engine cannot use the user's own master on "
                + own.controlSocket().orElseThrow());
  }
}
