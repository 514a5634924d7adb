package dev.muxtest.internal;

import dev.muxtest.SshHost;
import dev.muxtest.SshServer;
import dev.muxtest.SshdContainer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/** Finds and validates the {@link SshServer} field of a test class. */
public final class ServerDeclaration {

  private ServerDeclaration() {}

  /**
   * The container held by the class's {@code @SshServer} field, if it declares one.
   *
   * @throws ExtensionConfigurationException if the field is not a static, non-null {@link SshdContainer} or {@link SshHost}, or if there are several
   */
  public static Optional<SshdContainer> declaredOn(Class<?> testClass) {
    return declared(testClass).filter(SshdContainer.class::isInstance).map(SshdContainer.class::cast);
  }

  /** The server outside the test held by the class's {@code @SshServer} field, if it declares one. */
  public static Optional<SshHost> declaredHostOn(Class<?> testClass) {
    return declared(testClass).filter(SshHost.class::isInstance).map(SshHost.class::cast);
  }

  private static Optional<Object> declared(Class<?> testClass) {
    List<Field> fields = AnnotationSupport.findAnnotatedFields(testClass, SshServer.class, f -> true, HierarchyTraversalMode.TOP_DOWN);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    if (fields.size() > 1) {
      throw new ExtensionConfigurationException(String.format(
          "@SshServer on %s: only one field may name the class's SSH server, but %d do: %s",
          testClass.getName(), fields.size(),
          fields.stream().map(f -> f.getDeclaringClass().getSimpleName() + "." + f.getName()).collect(Collectors.joining(", "))));
    }
    Field field = fields.get(0);
    String at = String.format("@SshServer field '%s' in %s", field.getName(), field.getDeclaringClass().getName());
    if (!SshdContainer.class.isAssignableFrom(field.getType()) && field.getType() != SshHost.class) {
      throw new ExtensionConfigurationException(at + " must be of type " + SshdContainer.class.getName() + " or "
          + SshHost.class.getName() + " but is " + field.getType().getName());
    }
    if (!Modifier.isStatic(field.getModifiers())) {
      throw new ExtensionConfigurationException(at + " must be static: the SSH server lives as long as the class");
    }
    Object value = ReflectionSupport.tryToReadFieldValue(field, null)
        .getOrThrow(e -> new ExtensionConfigurationException(at + " cannot be read", e));
    if (value == null) {
      throw new ExtensionConfigurationException(at + " is null; assign it, for example = new SshdContainer()");
    }
    return Optional.of(value);
  }
}
