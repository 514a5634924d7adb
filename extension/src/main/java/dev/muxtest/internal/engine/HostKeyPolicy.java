package dev.muxtest.internal.engine;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.function.Function;

/**
 * Which host key a master accepts from a server: one pinned key, or a known_hosts file's verdict.
 */
public sealed interface HostKeyPolicy {

  /** {@code whenPinned} of the pinned key, or {@code whenKnownHosts} of the known_hosts file. */
  <T> T apply(Function<PublicKey, T> whenPinned, Function<Path, T> whenKnownHosts);

  /** Only this key, whatever address the server answers on: for servers the test started. */
  record Pinned(PublicKey key) implements HostKeyPolicy {
    @Override
    public <T> T apply(Function<PublicKey, T> whenPinned, Function<Path, T> whenKnownHosts) {
      return whenPinned.apply(key);
    }
  }

  /**
   * The key recorded for the host ({@code [host]:port} for a port other than 22) in this OpenSSH
   * known_hosts file; an unknown host or another key is refused. For servers outside the test.
   *
   * <p>Both engines decide as the OpenSSH client does with {@code CheckHostIP no}: the host is
   * looked up by the name (or address) the master connects to, never by the address a name
   * resolves to; {@code *}/{@code ?} patterns, {@code !} negations and hashed entries match; a
   * port-less entry matches port 22 only; a matching {@code @revoked} entry refuses its key; {@code
   * @cert-authority} entries accept no plain host key, and host certificates are not supported.
   */
  record KnownHosts(Path file) implements HostKeyPolicy {
    @Override
    public <T> T apply(Function<PublicKey, T> whenPinned, Function<Path, T> whenKnownHosts) {
      return whenKnownHosts.apply(file);
    }
  }
}
