package dev.muxtest.internal.mina;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * The host keys of a master that goes through a jump host: one key per address the client connects
 * to, the jump host's by its address and the target's by the loopback port of the forward through
 * the jump host. Any other key, or address, is refused.
 */
final class HostKeyPins implements ServerKeyVerifier {

  private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
  private final Set<Integer> hopPorts = ConcurrentHashMap.newKeySet();

  /**
   * Accepts {@code key}, and only it, from a server at a loopback (or not) address on {@code port}.
   */
  void pin(boolean loopback, int port, PublicKey key) {
    keys.put(loopback + ":" + port, key);
  }

  /** Pins the target's key on the loopback port of a forward through the jump host. */
  void pinHop(int loopbackPort, PublicKey key) {
    hopPorts.add(loopbackPort);
    pin(true, loopbackPort, key);
  }

  /**
   * Whether {@code remote} is the loopback end of a forward through the jump host, not a TCP
   * connection out.
   */
  boolean isHop(SocketAddress remote) {
    return remote instanceof InetSocketAddress address
        && address.getAddress() != null
        && address.getAddress().isLoopbackAddress()
        && hopPorts.contains(address.getPort());
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
    if (!(remote instanceof InetSocketAddress address) || address.getAddress() == null) {
      return false;
    }
    PublicKey expected =
        keys.get(address.getAddress().isLoopbackAddress() + ":" + address.getPort());
    return expected != null && KeyUtils.compareKeys(expected, serverKey);
  }
}
