package dev.muxtest.internal.junit;

import dev.muxtest.ForwardedPort;
import dev.muxtest.SshTunnel;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Checks every {@link ForwardedPort} name of a test class against the tunnels declared for it, when
 * the class's plan is made: a typo must fail before a server starts, not at parameter resolution
 * after it is up.
 */
final class ForwardedPortNames {

  private ForwardedPortNames() {}

  /**
   * Checks the constructors, test methods and lifecycle methods of {@code testClass} and of its
   * {@code @Nested} classes. A name is known when the class, a superclass or an enclosing class
   * declares it, or, for a test method, the method itself; a {@code @BeforeEach} or
   * {@code @AfterEach} method runs in each test method's scope, so any test method's names are let
   * pass.
   *
   * @throws ExtensionConfigurationException naming the class, method, parameter and the names
   *     declared for it
   */
  static void check(Class<?> testClass) {
    Set<String> outer = new TreeSet<>();
    for (Class<?> level = testClass;
        level.getEnclosingClass() != null && !Modifier.isStatic(level.getModifiers());
        level = level.getEnclosingClass()) {
      outer.addAll(namesOn(level.getEnclosingClass()));
    }
    checkWith(testClass, outer);
  }

  private static void checkWith(Class<?> testClass, Set<String> outer) {
    Set<String> known = new TreeSet<>(outer);
    known.addAll(namesOn(testClass));
    for (Executable constructor : testClass.getDeclaredConstructors()) {
      checkParameters(testClass, constructor, known);
    }
    Set<String> anyTest = new TreeSet<>(known);
    for (Method method : methods(testClass)) {
      if (AnnotationSupport.isAnnotated(method, Testable.class)) {
        Set<String> own = new TreeSet<>(known);
        own.addAll(names(AnnotationSupport.findRepeatableAnnotations(method, SshTunnel.class)));
        anyTest.addAll(own);
        checkParameters(testClass, method, own);
      }
    }
    for (Method method : methods(testClass)) {
      boolean everyTest =
          AnnotationSupport.isAnnotated(method, BeforeEach.class)
              || AnnotationSupport.isAnnotated(method, AfterEach.class);
      if (!AnnotationSupport.isAnnotated(method, Testable.class)) {
        // Other methods JUnit calls (@BeforeAll, @AfterAll) see the class's tunnels only.
        checkParameters(testClass, method, everyTest ? anyTest : known);
      }
    }
    for (Class<?> inner : testClass.getDeclaredClasses()) {
      if (!Modifier.isStatic(inner.getModifiers())
          && AnnotationSupport.isAnnotated(inner, Nested.class)) {
        checkWith(inner, known);
      }
    }
  }

  private static Iterable<Method> methods(Class<?> testClass) {
    return ReflectionSupport.findMethods(
        testClass,
        method -> Arrays.stream(method.getParameters()).anyMatch(ForwardedPortNames::annotated),
        HierarchyTraversalMode.TOP_DOWN);
  }

  private static boolean annotated(Parameter parameter) {
    return parameter.isAnnotationPresent(ForwardedPort.class);
  }

  /** The tunnel names on {@code testClass} and its superclasses, read without validating them. */
  private static Set<String> namesOn(Class<?> testClass) {
    Set<String> names = new TreeSet<>();
    for (Class<?> level = testClass;
        level != null && level != Object.class;
        level = level.getSuperclass()) {
      names.addAll(names(AnnotationSupport.findRepeatableAnnotations(level, SshTunnel.class)));
    }
    return names;
  }

  private static Set<String> names(List<SshTunnel> tunnels) {
    return tunnels.stream().map(SshTunnel::name).collect(Collectors.toSet());
  }

  private static void checkParameters(
      Class<?> testClass, Executable executable, Set<String> known) {
    Parameter[] parameters = executable.getParameters();
    for (int i = 0; i < parameters.length; i++) {
      ForwardedPort port = parameters[i].getAnnotation(ForwardedPort.class);
      if (port != null && !known.contains(port.value())) {
        throw new ExtensionConfigurationException(
            String.format(
                "@ForwardedPort(\"%s\") on parameter %d (%s) of %s: no @SshTunnel with name \"%s\" is"
                    + " declared for it; declared tunnels: %s",
                port.value(),
                i + 1,
                parameters[i].getType().getTypeName(),
                signature(testClass, executable),
                port.value(),
                known));
      }
    }
  }

  /** {@code Class#method(int, java.net.InetSocketAddress)}, or {@code Class(int)}. */
  private static String signature(Class<?> testClass, Executable executable) {
    String types =
        Arrays.stream(executable.getParameterTypes())
            .map(Class::getTypeName)
            .collect(Collectors.joining(", "));
    String name = executable instanceof Method ? "#" + executable.getName() : "";
    return testClass.getName() + name + "(" + types + ")";
  }
}
