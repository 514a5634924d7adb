package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.HostKeyPolicy;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A target behind a bastion, where someone else answers: an impostor where the bastion is expected,
 * the bastion itself where the target is expected, a target with another key, and a bastion
 * presenting the key pinned for the target. Every impostor would let the master in (its key is
 * authorised there), so only the host key check stands in the way: each is refused on both engines
 * with an {@link SshOperationException}, and leaves no ssh process, control directory or MINA
 * client thread behind.
 */
@Isolated("looks at all MINA client threads of the JVM")
class JumpHostImpostorTest {

  static final SshTopology topology = new SshTopology();

  /** Another server the test machine reaches, with a host key of its own. */
  static final SshdContainer outsider = new SshdContainer();

  @TempDir static Path controlDirectories;
  static Settings settings;

  @BeforeAll
  static void startServers() {
    topology.start();
    outsider.start();
    settings =
        Settings.from(
            key ->
                Optional.ofNullable(
                    Map.of(
                            Settings.CONNECT_TIMEOUT.name(), "10s",
                            Settings.EXEC_TIMEOUT.name(), "10s",
                            Settings.CONTROL_DIRECTORY.name(), controlDirectories.toString())
                        .get(key)));
  }

  @AfterAll
  static void stopServers() {
    outsider.stop();
    topology.stop();
  }

  @AfterEach
  void nothingLeftRunning() throws IOException {
    try (Stream<Path> left = Files.list(controlDirectories)) {
      assertThat(left.toList()).as("control directories left").isEmpty();
    }
    String needle = controlDirectories.toString();
    assertThat(
            ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(needle)).orElse(false))
                .map(p -> p.info().commandLine().orElse("?"))
                .toList())
        .as("ssh processes of the masters")
        .isEmpty();
    Threads.awaitNoneNamed("sshd-SshClient", Duration.ofSeconds(10));
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void theGenuinePairConnectsToTheTarget(Engine engine) {
    Hop target = genuineTarget(genuineBastion());

    EngineMaster master = connect(engine, target);
    try {
      assertThat(master.exec("hostname").stdout().strip())
          .isEqualTo(topology.target().getContainerInfo().getConfig().getHostName());
    } finally {
      master.close();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void anImpostorWhereTheBastionIsExpectedIsRefused(Engine engine) {
    Hop impostorBastion =
        new Hop(
            outsider.host(),
            outsider.port(),
            topology.bastion().hostKey(),
            outsider,
            Optional.empty());

    assertRefusedAtTheBastion(engine, genuineTarget(impostorBastion), impostorBastion);
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void theBastionItselfAnsweringAtTheTargetsAddressIsRefused(Engine engine) {
    // The bastion's own name on the internal network: it answers with its key, pinned for the jump.
    Hop bastion = genuineBastion();
    Hop swapped =
        new Hop(
            SshTopology.BASTION_ALIAS,
            SshdContainer.SSH_PORT,
            topology.target().hostKey(),
            topology.bastion(),
            Optional.of(bastion));

    assertRefusedAtTheTarget(engine, swapped);
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aTargetAnsweringWithAnotherKeyThanPinnedIsRefused(Engine engine) {
    Hop bastion = genuineBastion();
    Hop impostorTarget =
        new Hop(
            SshTopology.TARGET_ALIAS,
            SshdContainer.SSH_PORT,
            outsider.hostKey(),
            topology.target(),
            Optional.of(bastion));

    assertRefusedAtTheTarget(engine, impostorTarget);
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aBastionPresentingTheKeyPinnedForTheTargetIsRefused(Engine engine) {
    // Pins swapped: the bastion presents the very key the target is pinned to.
    Hop bastion =
        new Hop(
            topology.bastion().host(),
            topology.bastion().port(),
            topology.target().hostKey(),
            topology.bastion(),
            Optional.empty());
    Hop target =
        new Hop(
            SshTopology.TARGET_ALIAS,
            SshdContainer.SSH_PORT,
            topology.bastion().hostKey(),
            topology.target(),
            Optional.of(bastion));

    assertRefusedAtTheBastion(engine, target, bastion);
  }

  private static Hop genuineBastion() {
    return new Hop(
        topology.bastion().host(),
        topology.bastion().port(),
        topology.bastion().hostKey(),
        topology.bastion(),
        Optional.empty());
  }

  private static Hop genuineTarget(Hop bastion) {
    return new Hop(
        SshTopology.TARGET_ALIAS,
        SshdContainer.SSH_PORT,
        topology.target().hostKey(),
        topology.target(),
        Optional.of(bastion));
  }

  /** Refused at the bastion's host key check. */
  private static void assertRefusedAtTheBastion(Engine engine, Hop target, Hop bastion) {
    if (engine == Engine.MINA) {
      assertThatThrownBy(() -> connect(engine, target).close())
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("Cannot connect the SSH master to " + bastion.describe())
          .hasMessageContaining("Server key did not validate");
    } else {
      // Under ControlPersist, OpenSSH sends the ProxyJump ssh's stderr to /dev/null: the engine
      // asks the jump host alone for its reason and adds it to the master's own view.
      assertThatThrownBy(() -> connect(engine, target).close())
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining(
              "Cannot start the OpenSSH master to " + target.describe() + " (exit 255)")
          .hasMessageContaining("via " + bastion.describe())
          .hasMessageContaining("Connection closed")
          .hasMessageContaining("the jump host " + bastion.describe() + " alone: ")
          .hasMessageContaining("Host key verification failed");
    }
  }

  /** Refused at the target's host key check, past the genuine bastion. */
  private static void assertRefusedAtTheTarget(Engine engine, Hop target) {
    assertThatThrownBy(() -> connect(engine, target).close())
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(target.describe())
        .hasMessageContaining(
            engine == Engine.MINA ? "Server key did not validate" : "Host key verification failed");
  }

  private static EngineMaster connect(Engine engine, ServerEndpoint server) {
    return Masters.connect(
        server,
        MasterOptions.defaults().withEngine(engine).withControlMaster(ControlMaster.YES),
        settings);
  }

  /**
   * A server as the test describes it: where to connect, which key to pin, where the master's key
   * is authorised (so that a login would succeed), and the hop in front of it.
   */
  private record Hop(
      String host,
      int port,
      PublicKey pinned,
      SshdContainer authorizesOn,
      Optional<ServerEndpoint> jump)
      implements ServerEndpoint {

    @Override
    public String user() {
      return SshdContainer.USER;
    }

    @Override
    public HostKeyPolicy hostKeyPolicy() {
      return new HostKeyPolicy.Pinned(pinned);
    }

    @Override
    public Optional<ServerEndpoint> jumpHost() {
      return jump;
    }

    @Override
    public void beforeConnect(PublicKey clientKey) {
      jump.ifPresent(j -> j.beforeConnect(clientKey));
      authorizesOn.authorizeKey(clientKey);
    }

    @Override
    public List<String> acceptedLogins(PublicKey clientKey) {
      return jump.isPresent()
          ? jump.get().acceptedLogins(clientKey)
          : authorizesOn.acceptedPublicKeyLogins(clientKey);
    }
  }
}
