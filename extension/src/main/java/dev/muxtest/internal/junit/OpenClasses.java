package dev.muxtest.internal.junit;

import dev.muxtest.Forward;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The test classes whose tunnels are open now, for code that runs outside JUnit's parameter
 * resolution (a Spring {@code @DynamicPropertySource} supplier, for one) and so has only a class to
 * go by. A class is added when its tunnels are open and removed when it closes.
 *
 * <p>Public as {@code ForwardedPorts}' way in; the rest of the package is not.
 *
 * <p>One JVM-wide registry: a class running in two test runs at once (nested engine runs) is found
 * in the one that opened last.
 */
public final class OpenClasses {

  private static final Map<Class<?>, ClassSession> OPEN = new ConcurrentHashMap<>();

  private OpenClasses() {}

  static void add(Class<?> testClass, ClassSession session) {
    OPEN.put(testClass, session);
  }

  static void remove(Class<?> testClass, ClassSession session) {
    OPEN.remove(testClass, session);
  }

  /**
   * The listening end of the tunnel {@code name} of {@code testClass} (see {@link #tunnel}), as an
   * {@code int} {@code @ForwardedPort} parameter receives it.
   *
   * @throws IllegalStateException as {@link #tunnel}
   * @throws IllegalArgumentException as {@link #tunnel}
   */
  public static int port(Class<?> testClass, String name) {
    return (Integer) ForwardedPortValues.value(name, tunnel(testClass, name), int.class);
  }

  /**
   * The listening end of the tunnel {@code name} of {@code testClass} (see {@link #tunnel}), as an
   * {@link InetSocketAddress} {@code @ForwardedPort} parameter receives it.
   *
   * @throws IllegalStateException as {@link #tunnel}
   * @throws IllegalArgumentException as {@link #tunnel}
   */
  public static InetSocketAddress address(Class<?> testClass, String name) {
    return (InetSocketAddress)
        ForwardedPortValues.value(name, tunnel(testClass, name), InetSocketAddress.class);
  }

  /**
   * The tunnel named {@code name} of the open class {@code testClass}, or of the open classes that
   * extend it (for a superclass that holds the lookup): its own declaration or, for a {@code
   * Nested} class, an enclosing class's.
   *
   * @throws IllegalStateException if no such class is open, or if several are and their tunnels of
   *     that name are not the same forward
   * @throws IllegalArgumentException if none of them has a tunnel of that name
   */
  static Forward tunnel(Class<?> testClass, String name) {
    List<ClassSession> candidates =
        OPEN.values().stream()
            .filter(session -> testClass.isAssignableFrom(session.testClass()))
            .collect(Collectors.toList());
    if (candidates.isEmpty()) {
      throw new IllegalStateException(
          String.format(
              "muxtest: the tunnels of %s are not open now. Ports can be read while the class runs:"
                  + " from muxtest's beforeAll callback, which opens them (before the class's @BeforeAll"
                  + " methods, its test instances and a Spring application context loaded for them),"
                  + " until the class ends. Too early: a static initializer, or a test instance with"
                  + " @TestInstance(PER_CLASS), which JUnit makes before any beforeAll callback. Is the"
                  + " class (or a subclass of it) running, and does it declare @SshTunnel?",
              testClass.getName()));
    }
    Map<Forward, Class<?>> found = new IdentityHashMap<>();
    Set<String> declared = new TreeSet<>();
    for (ClassSession session : candidates) {
      Optional<Forward> forward = session.tunnelOrEnclosing(name);
      forward.ifPresent(f -> found.putIfAbsent(f, session.testClass()));
      declared.addAll(session.tunnelNamesWithEnclosing());
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              "muxtest: no @SshTunnel named \"%s\" is declared on %s; declared tunnels: %s",
              name, describe(candidates), declared));
    }
    if (found.size() > 1) {
      List<String> owners = new ArrayList<>();
      found.forEach(
          (f, owner) ->
              owners.add(
                  owner.getName()
                      + " (port "
                      + ForwardedPortValues.value(name, f, int.class)
                      + ")"));
      throw new IllegalStateException(
          String.format(
              "muxtest: %d open classes (%s or its subclasses) have a tunnel \"%s\" of their own: %s."
                  + " Name the test class itself, or give them @SshMultiplexing(scope = Scope.SUITE):"
                  + " then they share one tunnel for the run",
              found.size(), testClass.getName(), name, String.join(", ", owners)));
    }
    return found.keySet().iterator().next();
  }

  private static String describe(List<ClassSession> sessions) {
    return sessions.stream()
        .map(session -> session.testClass().getName())
        .sorted()
        .collect(Collectors.joining(", "));
  }
}
