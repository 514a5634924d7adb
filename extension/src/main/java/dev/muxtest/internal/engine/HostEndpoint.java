package dev.muxtest.internal.engine;

import dev.muxtest.SshHost;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * A server outside the test ({@link SshHost}): its own identity file and known_hosts, its log if
 * given, and the hosts it is reached through ({@link SshHost#withJumpHost}), each with its own.
 */
final class HostEndpoint implements ServerEndpoint {

  private final SshHost host;
  private final Optional<HostEndpoint> jumpHost;
  private volatile int earlierLogins;

  /** Wraps {@code host}, and the chain of jump hosts in front of it. */
  public HostEndpoint(SshHost host) {
    this.host = host;
    this.jumpHost = host.jumpHost().map(HostEndpoint::new);
  }

  /**
   * The host in front of this one; this host's name and port are as given in its {@link SshHost},
   * to be resolved by that jump host, as OpenSSH's ProxyJump does.
   */
  @Override
  public Optional<ServerEndpoint> jumpHost() {
    return jumpHost.map(ServerEndpoint.class::cast);
  }

  @Override
  public String host() {
    return host.host();
  }

  @Override
  public int port() {
    return host.port();
  }

  @Override
  public String user() {
    return host.user();
  }

  /** Not known in advance: the host's own known_hosts file decides. */
  @Override
  public HostKeyPolicy hostKeyPolicy() {
    return new HostKeyPolicy.KnownHosts(host.knownHostsFile());
  }

  @Override
  public Optional<Path> identityFile() {
    return Optional.of(host.identityFile());
  }

  /**
   * The key is the host's own: nothing to authorise. The logins of that key already in the log
   * (earlier runs, earlier classes) are noted here and not counted as this master's. Behind jump
   * hosts, the evidence is the target's own log: one login per connection of the master, whatever
   * the hops in front of it.
   */
  @Override
  public void beforeConnect(PublicKey clientKey) {
    earlierLogins = allLogins(clientKey).size();
  }

  @Override
  public boolean logsLogins() {
    return host.loginLog().isPresent();
  }

  @Override
  public List<String> acceptedLogins(PublicKey clientKey) {
    List<String> all = allLogins(clientKey);
    return all.subList(Math.min(earlierLogins, all.size()), all.size());
  }

  private List<String> allLogins(PublicKey clientKey) {
    String fingerprint = KeyMaterial.fingerprint(clientKey);
    return host.loginLog()
        .map(log -> SshdLogLine.publicKeyLogins(log.get(), host.user(), fingerprint))
        .orElse(List.of());
  }

  @Override
  public Optional<Path> certificateFile() {
    return host.certificateFile();
  }
}
