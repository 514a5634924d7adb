package dev.muxtest.internal.mina;

import dev.muxtest.internal.engine.ServerEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.Signature;

/**
 * Asks the server for a host key of a type this side can check, as OpenSSH's client does: the
 * signature algorithms of the key types the server's policy knows (the pinned key's, or those the
 * known_hosts file holds for the host) are offered first, the rest after them in MINA's order.
 * Without it, a server with several host keys (ed25519, ecdsa, rsa: any real host) may present one
 * the known_hosts file does not hold, and the connection is refused as if the key had changed.
 */
final class HostKeyPreference implements SessionListener {

  private HostKeyPreference() {}

  /** Makes {@code client} order each new session's host key algorithms for its server. */
  static void install(SshClient client) {
    client.addSessionListener(new HostKeyPreference());
  }

  @Override
  public void sessionCreated(Session session) {
    if (session instanceof ClientSession client) {
      Set<String> known = HopKeyVerifiers.knownKeyTypes(client);
      if (!known.isEmpty()) {
        client.setSignatureFactories(ordered(client.getSignatureFactories(), known));
      }
    }
  }

  /** The key types {@code server}'s host key policy can accept, in the order it names them. */
  static Set<String> knownKeyTypes(ServerEndpoint server) {
    return server
        .hostKeyPolicy()
        .apply(
            pinned -> Set.of(KeyUtils.getKeyType(pinned)),
            file -> knownHostsKeyTypes(file, server.host(), server.port()));
  }

  /**
   * {@code factories} with those of the {@code known} key types first (stable: each group keeps
   * MINA's order). Certificate algorithms stay behind: muxtest does not accept host certificates.
   */
  static List<NamedFactory<Signature>> ordered(
      List<NamedFactory<Signature>> factories, Set<String> known) {
    List<NamedFactory<Signature>> sorted = new ArrayList<>(factories);
    sorted.sort(Comparator.comparingInt(factory -> isKnown(factory.getName(), known) ? 0 : 1));
    return sorted;
  }

  private static boolean isKnown(String algorithm, Set<String> known) {
    return !algorithm.contains("-cert-") && known.contains(KeyUtils.getCanonicalKeyType(algorithm));
  }

  /**
   * The key types of the plain entries for the host ({@code [host]:port}, else the port-less name,
   * as {@link KnownHostsVerifier} looks them up); empty when the file cannot be read, which the
   * verifier then reports.
   */
  private static Set<String> knownHostsKeyTypes(Path file, String host, int port) {
    List<KnownHostsVerifier.Entry> entries = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Optional<KnownHostsVerifier.Entry> entry = KnownHostsVerifier.parse(lines.get(i), i + 1);
        entry.filter(e -> e.marker().isEmpty()).ifPresent(entries::add);
      }
    } catch (IOException e) {
      return Set.of();
    }
    Set<String> types = typesFor(entries, KnownHostsVerifier.lookupName(host, port));
    return types.isEmpty() ? typesFor(entries, KnownHostsVerifier.lookupName(host, 22)) : types;
  }

  private static Set<String> typesFor(List<KnownHostsVerifier.Entry> entries, String name) {
    Set<String> types = new LinkedHashSet<>();
    for (KnownHostsVerifier.Entry entry : entries) {
      if (entry.matches(name)) {
        types.add(KeyUtils.getKeyType(entry.key()));
      }
    }
    return types;
  }
}
