package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.assertj.MuxAssertions;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SshMasters}: a master opened in a plain test, without the extension (no muxtest annotation
 * here), owned and closed by its caller; and {@link MasterOptions}.
 */
class SshMastersTest {

  static final SshdContainer server = new SshdContainer();

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aMasterCarriesCommandsAndAForwardOverOneConnectionAndIsUnusableOnceClosed(Engine engine)
      throws Exception {
    CloseableSshMaster closed;
    Forward forward;
    Optional<Path> controlPath;
    try (CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine))) {
      closed = master;
      controlPath = master.controlPath();
      assertThat(master.engine()).isEqualTo(engine);

      Set<String> clientPorts = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        ExecResult result = master.exec("echo $SSH_CONNECTION");
        assertThat(result.exitCode()).isZero();
        // "client-address client-port server-address server-port"
        String[] fields = result.stdout().strip().split(" ");
        assertThat(fields).as("$SSH_CONNECTION: %s", result.stdout()).hasSize(4);
        clientPorts.add(fields[1]);
      }
      assertThat(clientPorts).as("client ports of the sessions: one TCP connection").hasSize(1);

      forward = master.forwardLocal("localhost", SshdContainer.SSH_PORT);
      assertThat(forward.isOpen()).isTrue();
      assertThat(banner(forward.localAddress())).isEqualTo("SSH-2.0-");

      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
      ConnectionReport report = master.connectionReport();
      assertThat(report.singleConnection()).as("report %s", report).isTrue();
      // The server logged the one login from the very client port the sessions came from.
      assertThat(report.serverEvidence())
          .singleElement()
          .asString()
          .contains(" port " + clientPorts.iterator().next() + " ");
      MuxAssertions.assertThat(master).usedSingleTcpConnection();

      if (engine == Engine.OPENSSH) {
        assertThat(controlPath).isPresent();
        assertThat(controlPath.get()).exists();
      } else {
        assertThat(controlPath).isEmpty();
      }
    }

    assertThatThrownBy(() -> closed.exec("true"))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> closed.forwardLocal("localhost", SshdContainer.SSH_PORT))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("is closed");
    assertThat(forward.isOpen()).as("the forward closed with the master").isFalse();
    assertThat(closed.check()).isFalse();
    closed.close(); // idempotent
    assertThat(closed.check()).isFalse();
    if (engine == Engine.OPENSSH) {
      assertThat(controlPath.get()).as("control socket removed with the master").doesNotExist();
      assertThat(controlPath.get().getParent())
          .as("private control directory removed")
          .doesNotExist();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void theExecTimeoutOfTheOptionsBoundsACommand(Engine engine) {
    MasterOptions options =
        MasterOptions.defaults().withEngine(engine).withExecTimeout(Duration.ofSeconds(5));
    try (CloseableSshMaster master = SshMasters.connect(server, options)) {
      assertThat(master.engine()).isEqualTo(engine);

      long start = System.nanoTime();
      assertThatThrownBy(() -> master.exec("sleep 30"))
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("did not finish within PT5S");
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      // A bound, not a benchmark: well under the command's 30 s, around the 5 s timeout.
      assertThat(took)
          .isGreaterThanOrEqualTo(Duration.ofSeconds(4))
          .isLessThan(Duration.ofSeconds(20));
      // The timed-out session is gone; the master is not.
      assertThat(master.exec("echo still here").stdout()).isEqualTo("still here\n");
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @Test
  void aContainerThatIsNotRunningIsRefused() {
    SshdContainer notStarted = new SshdContainer();

    assertThatThrownBy(() -> SshMasters.connect(notStarted, MasterOptions.engine(Engine.MINA)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not running");
    assertThatThrownBy(() -> SshMasters.connect(notStarted))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not running");
  }

  @Test
  void timeoutsMustBePositive() {
    MasterOptions defaults = MasterOptions.defaults();

    assertThatThrownBy(() -> defaults.withConnectTimeout(Duration.ZERO))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> defaults.withConnectTimeout(Duration.ofSeconds(-1)))
        .isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> defaults.withExecTimeout(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("execTimeout");
    assertThatThrownBy(() -> defaults.withKeepAliveInterval(Duration.ZERO))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepAliveInterval");
  }

  @Test
  void optionsAreValuesAndEachWitherKeepsTheOthers() {
    MasterOptions defaults = MasterOptions.defaults();
    assertThat(defaults.engine()).isEqualTo(Engine.DEFAULT);
    assertThat(defaults.controlMaster()).isEqualTo(ControlMaster.AUTO);
    assertThat(defaults.forwardAgent()).isFalse();
    assertThat(defaults.connectTimeout()).isEmpty();
    assertThat(defaults.execTimeout()).isEmpty();
    assertThat(defaults.keepAliveInterval()).isEmpty();

    MasterOptions options =
        defaults
            .withEngine(Engine.OPENSSH)
            .withControlMaster(ControlMaster.YES)
            .withForwardAgent(true)
            .withConnectTimeout(Duration.ofSeconds(7))
            .withExecTimeout(Duration.ofSeconds(9))
            .withKeepAliveInterval(Duration.ofSeconds(3));

    assertThat(options.engine()).isEqualTo(Engine.OPENSSH);
    assertThat(options.controlMaster()).isEqualTo(ControlMaster.YES);
    assertThat(options.forwardAgent()).isTrue();
    assertThat(options.connectTimeout()).contains(Duration.ofSeconds(7));
    assertThat(options.execTimeout()).contains(Duration.ofSeconds(9));
    assertThat(options.keepAliveInterval()).contains(Duration.ofSeconds(3));

    // Changing one value keeps all the others.
    MasterOptions otherEngine = options.withEngine(Engine.MINA);
    assertThat(otherEngine.engine()).isEqualTo(Engine.MINA);
    assertThat(otherEngine.controlMaster()).isEqualTo(ControlMaster.YES);
    assertThat(otherEngine.forwardAgent()).isTrue();
    assertThat(otherEngine.connectTimeout()).contains(Duration.ofSeconds(7));
    assertThat(otherEngine.execTimeout()).contains(Duration.ofSeconds(9));
    assertThat(otherEngine.keepAliveInterval()).contains(Duration.ofSeconds(3));
    MasterOptions otherExec = options.withExecTimeout(Duration.ofSeconds(1));
    assertThat(otherExec.execTimeout()).contains(Duration.ofSeconds(1));
    assertThat(otherExec.connectTimeout()).contains(Duration.ofSeconds(7));
    assertThat(otherExec.keepAliveInterval()).contains(Duration.ofSeconds(3));
    assertThat(otherExec.engine()).isEqualTo(Engine.OPENSSH);
    assertThat(otherExec.withExecTimeout(Duration.ofSeconds(9))).isEqualTo(options);

    // Immutable: the originals did not change.
    assertThat(options.engine()).isEqualTo(Engine.OPENSSH);
    assertThat(options.execTimeout()).contains(Duration.ofSeconds(9));
    assertThat(MasterOptions.defaults()).isEqualTo(defaults).isSameAs(defaults);
    assertThat(defaults.engine()).isEqualTo(Engine.DEFAULT);
    assertThat(defaults.execTimeout()).isEmpty();

    // Equal values are equal options, whatever order they were set in.
    MasterOptions sameInAnotherOrder =
        MasterOptions.defaults()
            .withKeepAliveInterval(Duration.ofSeconds(3))
            .withExecTimeout(Duration.ofSeconds(9))
            .withConnectTimeout(Duration.ofSeconds(7))
            .withForwardAgent(true)
            .withControlMaster(ControlMaster.YES)
            .withEngine(Engine.OPENSSH);
    assertThat(sameInAnotherOrder).isEqualTo(options).hasSameHashCodeAs(options);
    assertThat(sameInAnotherOrder.toString()).isEqualTo(options.toString());
    assertThat(options).isNotEqualTo(otherEngine).isNotEqualTo(otherExec).isNotEqualTo(defaults);
    assertThat(options.withForwardAgent(false)).isNotEqualTo(options);
    assertThat(options.withControlMaster(ControlMaster.AUTO)).isNotEqualTo(options);
    assertThat(options.withConnectTimeout(Duration.ofSeconds(8))).isNotEqualTo(options);
    assertThat(options.withKeepAliveInterval(Duration.ofSeconds(4))).isNotEqualTo(options);
    assertThat(options.toString())
        .isEqualTo(
            "MasterOptions[engine=OPENSSH, controlMaster=YES, forwardAgent=true, connectTimeout=PT7S, "
                + "execTimeout=PT9S, keepAliveInterval=PT3S]");
    assertThat(defaults.toString())
        .isEqualTo("MasterOptions[engine=DEFAULT, controlMaster=AUTO, forwardAgent=false]");

    assertThatThrownBy(() -> defaults.withEngine(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("engine");
    assertThatThrownBy(() -> defaults.withControlMaster(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("controlMaster");
  }

  /** The first bytes a server sends on {@code address}, read with a bound. */
  private static String banner(InetSocketAddress address) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(address, 10_000);
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(8), StandardCharsets.US_ASCII);
    }
  }
}
