package dev.muxtest.internal;

import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.security.KeyPair;
import org.apache.sshd.agent.SshAgent;

/** Adds keys to the test JVM's agent of a master, whichever engine forwards it. */
final class AgentKeys {

  private AgentKeys() {}

  /**
   * Adds {@code key} to {@code agent}.
   *
   * @throws SshOperationException if the master forwards no agent, or the agent refuses the key
   */
  static void add(SshAgent agent, KeyPair key, ServerEndpoint server) {
    if (agent == null) {
      throw new SshOperationException("Agent forwarding is off for the SSH master to " + server.describe()
          + "; turn it on with @SshMultiplexing(forwardAgent = true)");
    }
    try {
      agent.addIdentity(key, "muxtest agent key");
    } catch (IOException e) {
      throw new SshOperationException("Cannot add a key to the agent of the master: " + e.getMessage(), e);
    }
  }
}
