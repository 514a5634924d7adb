package dev.muxtest.internal.junit;

import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * What a {@code @ForwardedPort} parameter receives, by the forward's type and the parameter's type.
 */
final class ForwardedPortValues {

  private ForwardedPortValues() {}

  /**
   * The listening end of {@code forward} as {@code type}: for LOCAL and DYNAMIC the loopback port
   * on the test machine, for REMOTE the port listening on the server; a {@link Proxy} only for
   * DYNAMIC.
   *
   * @throws ParameterResolutionException for a {@link Proxy} on a forward that is not DYNAMIC
   */
  static Object value(String name, Forward forward, Class<?> type) {
    if (type == Proxy.class) {
      if (forward.type() != ForwardType.DYNAMIC) {
        throw new ParameterResolutionException(
            String.format(
                "@ForwardedPort(\"%s\") of type java.net.Proxy needs a DYNAMIC tunnel, but \"%s\" is %s; "
                    + "inject its port as int, java.lang.Integer or java.net.InetSocketAddress",
                name, name, forward.type()));
      }
      return new Proxy(Proxy.Type.SOCKS, forward.localAddress());
    }
    if (forward.type() == ForwardType.REMOTE) {
      // The listening end is on the server: its loopback, as the server's own processes reach it.
      return type == InetSocketAddress.class
          ? new InetSocketAddress(InetAddress.getLoopbackAddress(), forward.remotePort())
          : (Object) forward.remotePort();
    }
    return type == InetSocketAddress.class ? forward.localAddress() : (Object) forward.localPort();
  }
}
