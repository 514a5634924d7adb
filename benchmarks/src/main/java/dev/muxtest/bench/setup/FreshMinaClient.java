package dev.muxtest.bench.setup;

import dev.muxtest.SshdContainer;
import dev.muxtest.bench.MeasurementException;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Apache MINA SSHD without a master: one started client (as an application would keep) that opens a
 * new connection, with handshake and authentication, for every command. Set up as the MINA engine
 * sets up its own client, so the two differ only in connecting per command.
 */
public final class FreshMinaClient implements AutoCloseable {

  private final SshClient client;
  private final KeyPair identity;
  private final SshdContainer server;
  private final Duration timeout;

  private FreshMinaClient(
      SshClient client, KeyPair identity, SshdContainer server, Duration timeout) {
    this.client = client;
    this.identity = identity;
    this.server = server;
    this.timeout = timeout;
  }

  /**
   * Starts a client whose key {@code server} accepts; every operation is bounded by {@code
   * timeout}.
   */
  public static FreshMinaClient start(SshdContainer server, Duration timeout) {
    KeyPair identity = BenchKeys.generate();
    server.authorizeKey(identity.getPublic());
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(new RequiredServerKeyVerifier(server.hostKey()));
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    CoreModuleProperties.TCP_NODELAY.set(client, Boolean.TRUE);
    client.start();
    return new FreshMinaClient(client, identity, server, timeout);
  }

  /** A new connection, authenticated. */
  public ClientSession connect() throws IOException {
    ClientSession session =
        client.connect(server.user(), server.host(), server.port()).verify(timeout).getSession();
    try {
      session.addPublicKeyIdentity(identity);
      session.auth().verify(timeout);
      return session;
    } catch (IOException | RuntimeException e) {
      session.close(true);
      throw e;
    }
  }

  /** Key exchange, cipher and MAC that a connection negotiates (server to client). */
  public String negotiated() throws IOException {
    try (ClientSession session = connect()) {
      return String.format(
          "kex %s, cipher %s, mac %s",
          session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS),
          session.getNegotiatedKexParameter(KexProposalOption.S2CENC),
          session.getNegotiatedKexParameter(KexProposalOption.S2CMAC));
    }
  }

  /** Runs {@code command} on a connection of its own, closed afterwards. */
  public void execFresh(String command) throws IOException, MeasurementException {
    try (ClientSession session = connect()) {
      exec(session, command, timeout);
    }
  }

  /**
   * Runs {@code command} in an exec channel of {@code session} and checks that it exits with 0.
   *
   * @throws MeasurementException if it exits otherwise or outlasts {@code timeout}
   */
  public static void exec(ClientSession session, String command, Duration timeout)
      throws IOException, MeasurementException {
    try (ChannelExec channel = session.createExecChannel(command)) {
      channel.open().verify(timeout);
      Set<ClientChannelEvent> events =
          channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
      if (events.contains(ClientChannelEvent.TIMEOUT)) {
        throw new MeasurementException("'" + command + "' did not end within " + timeout);
      }
      Integer status = channel.getExitStatus();
      if (status == null || status != 0) {
        throw new MeasurementException("'" + command + "' exited with " + status);
      }
    }
  }

  /** Stops the client and its threads. */
  @Override
  public void close() {
    client.stop();
  }
}
