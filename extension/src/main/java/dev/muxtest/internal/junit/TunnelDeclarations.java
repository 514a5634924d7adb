package dev.muxtest.internal.junit;

import dev.muxtest.ForwardType;
import dev.muxtest.SshTunnel;
import dev.muxtest.internal.engine.HostText;
import dev.muxtest.internal.engine.SocketPaths;
import dev.muxtest.internal.engine.TunnelSpec;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;

/** Finds and validates the {@link SshTunnel} declarations of a test class or test method. */
final class TunnelDeclarations {

  private TunnelDeclarations() {}

  /**
   * The tunnels declared on {@code testClass}, its superclasses and its composed annotations. A
   * name declared twice at one level is an error; a name a subclass declares again overrides the
   * superclass's declaration (the closest declaration wins).
   *
   * @throws ExtensionConfigurationException naming the class, annotation and attribute at fault
   */
  static List<TunnelSpec> declaredOn(Class<?> testClass) {
    Map<String, TunnelSpec> tunnels = new LinkedHashMap<>();
    for (Class<?> level = testClass;
        level != null && level != Object.class;
        level = level.getSuperclass()) {
      for (TunnelSpec spec : validated(level.getName(), "class", declaredAt(level))) {
        tunnels.putIfAbsent(spec.name(), spec);
      }
    }
    return List.copyOf(tunnels.values());
  }

  /** Declarations at this level of the hierarchy: what the class adds to what it inherits. */
  private static List<SshTunnel> declaredAt(Class<?> level) {
    List<SshTunnel> own =
        new ArrayList<>(AnnotationSupport.findRepeatableAnnotations(level, SshTunnel.class));
    Class<?> parent = level.getSuperclass();
    if (parent != null) {
      AnnotationSupport.findRepeatableAnnotations(parent, SshTunnel.class).forEach(own::remove);
    }
    return own;
  }

  /**
   * The tunnels declared on {@code testMethod} (directly or in composed annotations), in
   * declaration order.
   *
   * @throws ExtensionConfigurationException naming the method, annotation and attribute at fault
   */
  static List<TunnelSpec> declaredOn(Class<?> testClass, Method testMethod) {
    return validated(
        testClass.getName() + "#" + testMethod.getName() + "()",
        "method",
        AnnotationSupport.findRepeatableAnnotations(testMethod, SshTunnel.class));
  }

  private static List<TunnelSpec> validated(String where, String scope, List<SshTunnel> declared) {
    Map<String, Integer> occurrences = new LinkedHashMap<>();
    List<TunnelSpec> tunnels = new ArrayList<>();
    for (SshTunnel tunnel : declared) {
      TunnelSpec spec = validate(where, tunnel);
      occurrences.merge(spec.name(), 1, Integer::sum);
      tunnels.add(spec);
    }
    occurrences.forEach(
        (name, count) -> {
          if (count > 1) {
            throw new ExtensionConfigurationException(
                String.format(
                    "@SshTunnel on %s: attribute 'name' must be unique in the %s, but \"%s\" is declared %d times",
                    where, scope, name, count));
          }
        });
    return tunnels;
  }

  private static TunnelSpec validate(String where, SshTunnel tunnel) {
    if (tunnel.name().isBlank()) {
      throw new ExtensionConfigurationException(
          String.format(
              "@SshTunnel(host = \"%s\", port = %d) on %s: attribute 'name' must not be blank",
              tunnel.host(), tunnel.port(), where));
    }
    String at = String.format("@SshTunnel(name = \"%s\") on %s", tunnel.name(), where);
    if (tunnel.bindPort() < 0 || tunnel.bindPort() > 65535) {
      throw new ExtensionConfigurationException(
          at
              + ": attribute 'bindPort' must be between 0 (a free port) and 65535 but was "
              + tunnel.bindPort());
    }
    if (!tunnel.socket().isEmpty()) {
      return toSocket(at, tunnel);
    }
    if (tunnel.type() == ForwardType.DYNAMIC) {
      if (tunnel.port() != 0) {
        throw new ExtensionConfigurationException(
            at
                + ": attribute 'port' must not be set for a DYNAMIC forward, "
                + "whose destinations are chosen per connection, but was "
                + tunnel.port());
      }
      if (!tunnel.host().equals("localhost")) {
        throw new ExtensionConfigurationException(
            at
                + ": attribute 'host' must not be set for a DYNAMIC forward, "
                + "whose destinations are chosen per connection, but was \""
                + tunnel.host()
                + "\"");
      }
      return new TunnelSpec(tunnel.name(), ForwardType.DYNAMIC, "", 0, tunnel.bindPort());
    }
    if (tunnel.host().isBlank()) {
      throw new ExtensionConfigurationException(at + ": attribute 'host' must not be blank");
    }
    HostText.problem(tunnel.host())
        .ifPresent(
            why -> {
              throw new ExtensionConfigurationException(at + ": attribute 'host' " + why);
            });
    if (tunnel.port() == 0) {
      // 0 is also the attribute's default, so a port left out and port = 0 look the same here; a
      // newcomer writing port = 0 most likely means "any free port", which is bindPort's job.
      throw new ExtensionConfigurationException(
          at
              + ": attribute 'port' is missing or 0, and port 0 is not a destination port: "
              + (tunnel.type() == ForwardType.LOCAL
                  ? "name the port the service listens on, 1 to 65535 (bindPort = 0 is what picks a free local port)"
                  : "name the port on the test machine that a remote forward leads to, 1 to 65535 (bindPort = 0 is what picks a free port on the server)"));
    }
    if (tunnel.port() < 1 || tunnel.port() > 65535) {
      throw new ExtensionConfigurationException(
          at + ": attribute 'port' must be between 1 and 65535 but was " + tunnel.port());
    }
    if (tunnel.type() == ForwardType.REMOTE && !SshdSocketAddress.isLoopback(tunnel.host())) {
      throw new ExtensionConfigurationException(
          at
              + ": attribute 'host' must be a loopback address (localhost, "
              + "127.0.0.1, ::1) for a REMOTE forward, whose destination is on the test machine, but was \""
              + tunnel.host()
              + "\"");
    }
    return new TunnelSpec(
        tunnel.name(), tunnel.type(), tunnel.host(), tunnel.port(), tunnel.bindPort());
  }

  /**
   * A tunnel to a UNIX-domain socket on the server: LOCAL only, with no destination host or port
   * (the socket is the destination), and a path the engines can pass on as it is.
   */
  private static TunnelSpec toSocket(String at, SshTunnel tunnel) {
    if (tunnel.type() != ForwardType.LOCAL) {
      throw new ExtensionConfigurationException(
          at
              + ": attribute 'socket' is for a LOCAL forward (to a UNIX socket on the server), "
              + "but attribute 'type' was "
              + tunnel.type());
    }
    if (!tunnel.host().equals("localhost")) {
      throw new ExtensionConfigurationException(
          at
              + ": attributes 'socket' and 'host' exclude each other (the socket is the destination),"
              + " but host was \""
              + tunnel.host()
              + "\"");
    }
    if (tunnel.port() != 0) {
      throw new ExtensionConfigurationException(
          at
              + ": attributes 'socket' and 'port' exclude each other (the socket is the destination),"
              + " but port was "
              + tunnel.port());
    }
    SocketPaths.problem(tunnel.socket())
        .ifPresent(
            why -> {
              throw new ExtensionConfigurationException(at + ": attribute 'socket' " + why);
            });
    return TunnelSpec.toSocket(tunnel.name(), tunnel.socket(), tunnel.bindPort());
  }
}
