package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link UserMaster#ofControlSocket}: what it takes, and what it refuses before anything runs. */
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

  @Test
  void aSocketOfTheCurrentUserIsTakenAsAnAbsolutePathAndKeptByWithLoginLog() throws Exception {
    Path socket = socket("ctl");
    Path relative = Path.of("").toAbsolutePath().relativize(socket);

    UserMaster master = UserMaster.ofControlSocket(relative).withLoginLog(() -> "");

    assertThat(master.controlSocket()).isEqualTo(socket);
    assertThat(master.loginLog()).isPresent();
    assertThat(UserMaster.ofControlSocket(relative).loginLog()).isEmpty();
    assertThat(master).hasToString("the user's own master on " + socket);
  }

  @Test
  void nullMissingAndNonSocketPathsAreRefusedNamingThePath() throws Exception {
    Path missing = dir.resolve("missing");
    Path file = Files.writeString(dir.resolve("file"), "");

    assertThatThrownBy(() -> UserMaster.ofControlSocket(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("UserMaster.ofControlSocket: the control socket is null");
    assertThatThrownBy(() -> UserMaster.ofControlSocket(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "UserMaster.ofControlSocket: the control socket \""
                + missing
                + "\" does not exist; open the master first (ssh -M -S "
                + missing
                + " -f -N user@host)");
    assertThatThrownBy(() -> UserMaster.ofControlSocket(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + file + "\" is not a socket");
    assertThatThrownBy(() -> UserMaster.ofControlSocket(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + dir + "\" is not a socket");
  }

  @Test
  void pathsOpenSshWouldExpandOrReadAsQuotesAreRefusedBeforeLookingAtTheFile() throws Exception {
    for (String name : new String[] {"c%h", "c${HOME}", "c\"q", "c\\", "c\nl"}) {
      Path path = dir.resolve(name);
      assertThatThrownBy(() -> UserMaster.ofControlSocket(path))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("UserMaster.ofControlSocket: the control socket ")
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

    assertThatThrownBy(() -> UserMaster.ofControlSocket(socket))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the control socket \"" + socket + "\" belongs to uid ")
        .hasMessageContaining("not to the current user");
  }

  @Test
  void theUsersMasterHasNoAddressAndTakesNoJumpHostNorServesAsOne() throws Exception {
    // Once refused at run time (UserMaster.ofControlSocket), now ruled out by the types.
    assertThat(UserMaster.class.getMethods())
        .extracting(Method::getName)
        .doesNotContain("withJumpHost", "host", "port", "user", "identityFile", "knownHostsFile");
    assertThat(SshHost.class.getMethod("withJumpHost", SshHost.class).getParameterTypes())
        .containsExactly(SshHost.class);
    assertThat(SshHost.class.getMethods())
        .extracting(Method::getName)
        .doesNotContain("ofControlSocket", "controlSocket");
  }

  @Test
  void controlMasterNoAndAgentForwardingAreRefusedBeforeTheSocketIsUsed() throws Exception {
    UserMaster own = UserMaster.ofControlSocket(socket("ctl")); // nobody listens: never asked
    MasterOptions openSsh = MasterOptions.defaults().withEngine(Engine.OPENSSH);

    assertThatThrownBy(
            () -> SshMasters.connect(own, openSsh.withControlMaster(ControlMaster.NO)).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessage(
            "ControlMaster.NO opens a connection per command, which the user's own master on "
                + own.controlSocket()
                + " never does: use ControlMaster.AUTO or YES");
    assertThatThrownBy(() -> SshMasters.connect(own, openSsh.withForwardAgent(true)).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("Agent forwarding is set when a master starts")
        .hasMessageContaining("ssh -M -A");
    assertThatThrownBy(() -> SshMasters.connect(own, MasterOptions.engine(Engine.MINA)).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessageStartingWith(
            "The MINA engine cannot use the user's own master on " + own.controlSocket());
  }
}
