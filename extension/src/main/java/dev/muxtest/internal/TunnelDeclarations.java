package dev.muxtest.internal;

import dev.muxtest.SshTunnel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;

/** Finds and validates the {@link SshTunnel} declarations of a test class. */
public final class TunnelDeclarations {

  private TunnelDeclarations() {}

  /**
   * The tunnels declared on {@code testClass}, its superclasses and its composed annotations. A
   * name declared twice at one level is an error; a name a subclass declares again overrides the
   * superclass's declaration (the closest declaration wins).
   *
   * @throws ExtensionConfigurationException naming the class, annotation and attribute at fault
   */
  public static List<TunnelSpec> declaredOn(Class<?> testClass) {
    Map<String, TunnelSpec> tunnels = new LinkedHashMap<>();
    for (Class<?> level = testClass; level != null && level != Object.class; level = level.getSuperclass()) {
      Map<String, Integer> occurrences = new LinkedHashMap<>();
      for (SshTunnel tunnel : declaredAt(level)) {
        TunnelSpec spec = validate(level, tunnel);
        occurrences.merge(spec.name(), 1, Integer::sum);
        tunnels.putIfAbsent(spec.name(), spec);
      }
      Class<?> at = level;
      occurrences.forEach((name, count) -> {
        if (count > 1) {
          throw new ExtensionConfigurationException(String.format(
              "@SshTunnel on %s: attribute 'name' must be unique in the class, but \"%s\" is declared %d times",
              at.getName(), name, count));
        }
      });
    }
    return List.copyOf(tunnels.values());
  }

  /** Declarations at this level of the hierarchy: what the class adds to what it inherits. */
  private static List<SshTunnel> declaredAt(Class<?> level) {
    List<SshTunnel> own = new ArrayList<>(AnnotationSupport.findRepeatableAnnotations(level, SshTunnel.class));
    Class<?> parent = level.getSuperclass();
    if (parent != null) {
      AnnotationSupport.findRepeatableAnnotations(parent, SshTunnel.class).forEach(own::remove);
    }
    return own;
  }

  private static TunnelSpec validate(Class<?> testClass, SshTunnel tunnel) {
    if (tunnel.name().isBlank()) {
      throw new ExtensionConfigurationException(String.format(
          "@SshTunnel(host = \"%s\", port = %d) on %s: attribute 'name' must not be blank",
          tunnel.host(), tunnel.port(), testClass.getName()));
    }
    String at = String.format("@SshTunnel(name = \"%s\") on %s", tunnel.name(), testClass.getName());
    if (tunnel.host().isBlank()) {
      throw new ExtensionConfigurationException(at + ": attribute 'host' must not be blank");
    }
    if (tunnel.port() == 0) {
      throw new ExtensionConfigurationException(
          at + ": attribute 'port' is missing; a local forward needs its destination port (1 to 65535)");
    }
    if (tunnel.port() < 1 || tunnel.port() > 65535) {
      throw new ExtensionConfigurationException(
          at + ": attribute 'port' must be between 1 and 65535 but was " + tunnel.port());
    }
    return new TunnelSpec(tunnel.name(), tunnel.host(), tunnel.port());
  }
}
