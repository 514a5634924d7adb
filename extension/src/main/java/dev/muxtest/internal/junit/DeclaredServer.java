package dev.muxtest.internal.junit;

import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.SshHost;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshServer;
import dev.muxtest.SshTarget;
import dev.muxtest.SshdContainer;
import dev.muxtest.UserMaster;
import dev.muxtest.internal.container.ManagedContainer;
import dev.muxtest.internal.engine.Endpoints;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The server a test class names in its {@link SshServer} field, one record per kind of server: each
 * knows whether it needs Docker and how it is made ready for a master. A new kind of server is one
 * more record (a new {@link SshTarget} kind) and one more line in {@link #ofValue}.
 */
sealed interface DeclaredServer {

  /** The server object itself, compared by identity when masters are shared. */
  Object target();

  /** Whether making it ready starts a container. */
  boolean needsDocker();

  /**
   * Makes the server ready; {@code register} receives what must be released before anything starts,
   * so that a failed start still releases it.
   *
   * @throws SshOperationException naming {@code owner} when the server does not start
   */
  ServerLease start(String owner, Consumer<AutoCloseable> register);

  /** An {@link SshdContainer}: started by the extension unless it runs already. */
  record Container(SshdContainer target) implements DeclaredServer {
    @Override
    public boolean needsDocker() {
      return !target.isRunning();
    }

    @Override
    public ServerLease start(String owner, Consumer<AutoCloseable> register) {
      return ServerLease.container(new ManagedContainer(target), owner, register);
    }
  }

  /** A server outside the test (a host, or the user's own master): nothing to start or stop. */
  record Outside(SshTarget target) implements DeclaredServer {
    @Override
    public boolean needsDocker() {
      return false;
    }

    @Override
    public ServerLease start(String owner, Consumer<AutoCloseable> register) {
      return ServerLease.outside(Endpoints.of(target));
    }
  }

  /** An {@link EmbeddedSshServer}: started by the extension unless it runs already. */
  record Embedded(EmbeddedSshServer target) implements DeclaredServer {
    @Override
    public boolean needsDocker() {
      return false;
    }

    @Override
    public ServerLease start(String owner, Consumer<AutoCloseable> register) {
      return ServerLease.embedded(target, owner, register);
    }
  }

  /**
   * The server declared on {@code testClass} (or a superclass), if any.
   *
   * @throws ExtensionConfigurationException if the field is not a static, non-null server, or if
   *     there are several
   */
  static Optional<DeclaredServer> of(Class<?> testClass) {
    List<Field> fields =
        AnnotationSupport.findAnnotatedFields(
            testClass, SshServer.class, f -> true, HierarchyTraversalMode.TOP_DOWN);
    if (fields.isEmpty()) {
      return Optional.empty();
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
    return Optional.of(ofValue(value));
  }

  /** The record of a server object of an accepted type. */
  private static DeclaredServer ofValue(Object value) {
    if (value instanceof SshHost || value instanceof UserMaster) {
      return new Outside((SshTarget) value);
    }
    if (value instanceof EmbeddedSshServer embedded) {
      return new Embedded(embedded);
    }
    return new Container((SshdContainer) value);
  }
}
