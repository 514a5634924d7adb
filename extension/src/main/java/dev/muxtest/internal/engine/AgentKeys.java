package dev.muxtest.internal.engine;

import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.security.KeyPair;
import org.apache.sshd.agent.SshAgent;

/** The SSH agent a master forwards, held in the test JVM, whichever engine forwards it. */
final class AgentKeys {

  private final String server;
  private volatile SshAgent agent;

  /** No agent yet, for a master to {@code server} (for messages). */
  AgentKeys(String server) {
    this.server = server;
  }

  /** The agent the master forwards from now on. */
  void forward(SshAgent agent) {
    this.agent = agent;
  }

  /** The agent the master forwards; null when agent forwarding is off. */
  SshAgent agent() {
    return agent;
  }

  /**
   * Adds {@code key} to the agent.
   *
   * @throws SshOperationException if the master forwards no agent, or the agent refuses the key
   */
  void add(KeyPair key) {
    SshAgent current = agent;
    if (current == null) {
      throw new SshOperationException(
          "Agent forwarding is off for the SSH master to "
              + server
              + "; turn it on with @SshMultiplexing(forwardAgent = true)");
    }
    try {
      current.addIdentity(key, "muxtest agent key");
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot add a key to the agent of the master: " + e.getMessage(), e);
    }
  }
}
