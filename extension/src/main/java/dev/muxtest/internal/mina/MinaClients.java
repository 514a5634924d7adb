package dev.muxtest.internal.mina;

import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.sshd.agent.local.LocalAgentFactory;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/** Makes the hardened {@link SshClient} of one MINA master. */
final class MinaClients {

  private static final List<String> FAST_CIPHERS =
      List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com");

  private MinaClients() {}

  /**
   * A client (not started) that accepts on each connection only the host key of the server it was
   * opened for ({@link HopKeyVerifiers}), reads nothing from {@code ~/.ssh}, forwards only on
   * loopback, prefers AES-GCM, sends small packets at once and keeps the connection alive; with
   * {@code agents}, it serves their agent to the sessions that forward it.
   */
  static SshClient hardened(Settings settings, LocalAgentFactory agents) {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(new HopKeyVerifiers());
    // The user's ~/.ssh (config, keys) must not change what a test does.
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setForwardingFilter(LoopbackForwardingFilter.INSTANCE);
    if (agents != null) {
      client.setAgentFactory(agents);
    }
    // Small request/response packets (commands, first bytes through a forward) must not wait for
    // Nagle.
    CoreModuleProperties.TCP_NODELAY.set(client, Boolean.TRUE);
    // ... nor for the server's Nagle behind this side's delayed acknowledgement.
    PromptAckSession.install(client);
    // A host key the server's policy can check, where the server has several (OpenSSH's order).
    HostKeyPreference.install(client);
    // AES-GCM runs on the CPU's AES instructions through the JDK; MINA's chacha20-poly1305 (the
    // default first choice) is computed in plain Java at about half the speed. Offered first, so
    // the server picks it; the rest of the default list follows unchanged.
    List<NamedFactory<Cipher>> ciphers = new ArrayList<>(client.getCipherFactories());
    ciphers.sort(
        Comparator.comparingInt(
            cipher -> {
              int rank = FAST_CIPHERS.indexOf(cipher.getName());
              return rank < 0 ? FAST_CIPHERS.size() : rank;
            }));
    client.setCipherFactories(ciphers);
    // Keep-alive requests that want a reply, as OpenSSH's ServerAliveInterval/CountMax: a dead
    // server is noticed after NO_REPLY_MAX unanswered intervals, and the replies (incoming
    // traffic) keep an idle master clear of MINA's 10-minute idle timeout.
    CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, settings.keepAliveInterval());
    CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 2);
    return client;
  }

  /**
   * The verifier of the server's host key policy: one pinned key, or the known_hosts file's verdict
   * for the server's host and port, decided as the OpenSSH engine decides it.
   */
  static ServerKeyVerifier verifier(ServerEndpoint server) {
    return server
        .hostKeyPolicy()
        .<ServerKeyVerifier>apply(
            RequiredServerKeyVerifier::new,
            // Not MINA's KnownHostsServerKeyVerifier: it also accepts keys listed under the
            // resolved address, and refuses "*" entries on other ports than 22.
            file -> new KnownHostsVerifier(file, server.host(), server.port()));
  }
}
