package dev.muxtest.internal.junit;

import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.SshHost;
import dev.muxtest.SshServer;
import dev.muxtest.SshTarget;
import dev.muxtest.SshdContainer;
import dev.muxtest.UserMaster;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The server a test class names in its {@link SshServer} field, resolved once: a container, an
 * outside host, an embedded server, or none.
 */
public sealed interface DeclaredServer {

  /** An {@link SshdContainer}: started by the extension unless it runs already. */
  record Container(SshdContainer container) implements DeclaredServer {}

  /** A server outside the test. */
  record Host(SshHost host) implements DeclaredServer {}

  /** The server behind the user's own OpenSSH master. */
  record Own(UserMaster master) implements DeclaredServer {}

  /**
   * An {@link EmbeddedSshServer} in the test JVM: started by the extension unless it runs already.
   */
  record Embedded(EmbeddedSshServer server) implements DeclaredServer {}

  /** No {@code @SshServer} field: the enclosing class's server, else a default container. */
  record None() implements DeclaredServer {}

  /**
   * The server object itself (compared by identity when masters are shared); null for {@link None}.
   */
  default Object server() {
    if (this instanceof Container c) {
      return c.container();
    }
    if (this instanceof Host h) {
      return h.host();
    }
    if (this instanceof Own o) {
      return o.master();
    }
    return this instanceof Embedded e ? e.server() : null;
  }

  /**
   * The server declared on {@code testClass} (or a superclass).
   *
   * @throws ExtensionConfigurationException if the field is not a static, non-null {@link
   *     SshTarget}, or if there are several
   */
  static DeclaredServer of(Class<?> testClass) {
    List<Field> fields =
        AnnotationSupport.findAnnotatedFields(
            testClass, SshServer.class, f -> true, HierarchyTraversalMode.TOP_DOWN);
    if (fields.isEmpty()) {
      return new None();
    }
    if (fields.size() > 1) {
      throw new ExtensionConfigurationException(
          String.format(
              "@SshServer on %s: only one field may name the class's SSH server, but %d do: %s",
              testClass.getName(),
              fields.size(),
              fields.stream()
                  .map(f -> f.getDeclaringClass().getSimpleName() + "." + f.getName())
                  .collect(Collectors.joining(", "))));
    }
    Field field = fields.get(0);
    String at =
        String.format(
            "@SshServer field '%s' in %s", field.getName(), field.getDeclaringClass().getName());
    if (!SshTarget.class.isAssignableFrom(field.getType())) {
      throw new ExtensionConfigurationException(
          at
              + " must be of type "
              + SshTarget.class.getName()
              + " (SshdContainer, EmbeddedSshServer, SshHost or UserMaster) but is "
              + field.getType().getName());
    }
    if (!Modifier.isStatic(field.getModifiers())) {
      throw new ExtensionConfigurationException(
          at + " must be static: the SSH server lives as long as the class");
    }
    Object value =
        ReflectionSupport.tryToReadFieldValue(field, null)
            .getOrThrow(e -> new ExtensionConfigurationException(at + " cannot be read", e));
    if (value == null) {
      throw new ExtensionConfigurationException(
          at + " is null; assign it, for example = new SshdContainer()");
    }
    if (value instanceof SshHost host) {
      return new Host(host);
    }
    if (value instanceof UserMaster master) {
      return new Own(master);
    }
    if (value instanceof EmbeddedSshServer embedded) {
      return new Embedded(embedded);
    }
    return new Container((SshdContainer) value);
  }
}
