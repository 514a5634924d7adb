package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.KeyMaterial;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.client.channel.AbstractClientChannel;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.ChannelOutputStream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A hostile server and a master that forwards its agent (security-review-2, R3-4): the server opens
 * many agent channels and announces a 2 GiB message on each. The master's side refuses channels
 * beyond its bound (MINA) or serves a bounded number at once (OpenSSH), closes every channel that
 * announced too much without buffering it, answers a well-behaved channel afterwards, and keeps
 * running commands.
 */
class HostileAgentServerTest {

  private static final int CHANNELS = 40;
  private static final Duration BOUND = Duration.ofSeconds(20);

  @TempDir static Path dir;
  static SshServer hostile;
  static Path identity;
  static Path knownHosts;

  @BeforeAll
  static void startTheHostileServer() throws IOException {
    KeyPair hostKey = KeyMaterial.generate();
    KeyPair clientKey = KeyMaterial.generate();
    hostile = SshServer.setUpDefaultServer();
    hostile.setHost("127.0.0.1");
    hostile.setPort(0);
    hostile.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    hostile.setPublickeyAuthenticator(
        (user, key, session) -> KeyUtils.compareKeys(key, clientKey.getPublic()));
    hostile.setCommandFactory((channel, command) -> new Scripted(command));
    hostile.start();
    identity = dir.resolve("id_ecdsa");
    Files.write(identity, KeyMaterial.openSshPrivateKey(clientKey, "hostile agent test"));
    Files.setPosixFilePermissions(identity, PosixFilePermissions.fromString("rw-------"));
    knownHosts =
        Files.writeString(
            dir.resolve("known_hosts"),
            "[127.0.0.1]:"
                + hostile.getPort()
                + " "
                + KeyMaterial.publicKeyLine(hostKey.getPublic())
                + "\n");
  }

  @AfterAll
  static void stopIt() throws IOException {
    hostile.stop(true);
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MINA", "OPENSSH"})
  void agentChannelsAreBoundedAndAnOversizedMessageClosesItsChannel(Engine engine) {
    SshHost host = SshHost.of("127.0.0.1", hostile.getPort(), "tester", identity, knownHosts);
    try (CloseableSshMaster master =
        SshMasters.connect(
            host, MasterOptions.defaults().withEngine(engine).withForwardAgent(true))) {

      String report = master.exec("attack", Duration.ofSeconds(90)).stdout().strip();

      String[] counts = report.split(" ");
      int opened = Integer.parseInt(counts[0]);
      int refused = Integer.parseInt(counts[1]);
      int closed = Integer.parseInt(counts[2]);
      assertThat(opened + refused).as(report).isEqualTo(CHANNELS);
      if (engine == Engine.MINA) {
        assertThat(opened).as("agent channels the MINA master accepted at once").isEqualTo(16);
      }
      assertThat(closed).as("channels closed after announcing 2 GiB: " + report).isEqualTo(opened);
      assertThat(counts[3])
          .as("a well-behaved agent channel afterwards: " + report)
          .isEqualTo("answered");
      assertThat(master.exec("still here").stdout()).isEqualTo("still here\n");
    }
  }

  /**
   * The hostile server's commands: {@code attack} opens the agent channels and reports {@code
   * <opened> <refused> <closed by the client> <answered|unanswered> (<timings>)}; anything else is
   * echoed.
   */
  static final class Scripted implements Command {
    private final String command;
    private OutputStream out;
    private ExitCallback exit;

    Scripted(String command) {
      this.command = command;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      Thread runner =
          new Thread(
              () -> {
                String result;
                try {
                  result = command.equals("attack") ? attack(channel.getSession()) : command;
                } catch (Exception e) {
                  result = "failed: " + e;
                }
                try {
                  out.write((result + "\n").getBytes(StandardCharsets.UTF_8));
                  out.flush();
                } catch (IOException e) {
                  // the client is gone
                }
                exit.onExit(0);
              },
              "hostile-" + command);
      runner.setDaemon(true);
      runner.start();
    }

    private static String attack(Session session) throws IOException {
      ConnectionService service = session.getService(ConnectionService.class);
      long start = System.nanoTime();
      List<AgentChannel> open = new ArrayList<>();
      int refused = 0;
      for (int i = 0; i < CHANNELS; i++) {
        AgentChannel channel = new AgentChannel();
        service.registerChannel(channel);
        try {
          channel.open().verify(BOUND);
          open.add(channel);
        } catch (IOException e) {
          refused++;
        }
      }
      for (AgentChannel channel : open) {
        try {
          OutputStream in = channel.getInvertedIn();
          in.write(ByteBuffer.allocate(4).putInt(0x7ffffff0).array());
          in.write(new byte[64 * 1024]); // the start of what it announced
          in.flush();
        } catch (IOException closedAlready) {
          // the client may close the channel as soon as it reads the header
        }
      }
      long written = System.nanoTime();
      Instant deadline = Instant.now().plus(BOUND);
      int closed = 0;
      for (AgentChannel channel : open) {
        Duration left = Duration.between(Instant.now(), deadline);
        Set<ClientChannelEvent> events =
            channel.waitFor(
                EnumSet.of(ClientChannelEvent.CLOSED), left.isNegative() ? Duration.ZERO : left);
        closed += events.contains(ClientChannelEvent.CLOSED) ? 1 : 0;
      }
      long waited = System.nanoTime();
      String answer = askForIdentities(service);
      return String.format(
          "%d %d %d %s (ms: opened and written %d, closed %d, asked %d)",
          open.size(),
          refused,
          closed,
          answer,
          (written - start) / 1_000_000,
          (waited - written) / 1_000_000,
          (System.nanoTime() - waited) / 1_000_000);
    }

    /** Whether a new agent channel answers a request for the agent's identities. */
    private static String askForIdentities(ConnectionService service) throws IOException {
      AgentChannel channel = new AgentChannel();
      service.registerChannel(channel);
      try {
        channel.open().verify(BOUND);
        channel.getInvertedIn().write(new byte[] {0, 0, 0, 1, 11}); // REQUEST_IDENTITIES
        channel.getInvertedIn().flush();
        Instant deadline = Instant.now().plus(BOUND);
        while (channel.received() < 5 && Instant.now().isBefore(deadline)) {
          synchronized (channel) {
            channel.wait(100);
          }
        }
        return channel.received() >= 5 ? "answered" : "unanswered";
      } catch (IOException | InterruptedException e) {
        return "unanswered";
      } finally {
        channel.close(true);
      }
    }

    @Override
    public void destroy(ChannelSession channel) {}

    @Override
    public void setInputStream(InputStream in) {}

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {}

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }
  }

  /** An agent channel opened by the server, as sshd opens one for a forwarded agent. */
  static final class AgentChannel extends AbstractClientChannel {
    private final ByteArrayOutputStream replies = new ByteArrayOutputStream();

    AgentChannel() {
      super("auth-agent@openssh.com");
    }

    @Override
    protected void doOpen() {
      invertedIn =
          new ChannelOutputStream(
              this, getRemoteWindow(), log, SshConstants.SSH_MSG_CHANNEL_DATA, true);
    }

    @Override
    protected void doWriteData(byte[] data, int offset, long length) throws IOException {
      synchronized (this) {
        replies.write(data, offset, (int) length);
        notifyAll();
      }
      getLocalWindow().release(length);
    }

    synchronized int received() {
      return replies.size();
    }
  }
}
