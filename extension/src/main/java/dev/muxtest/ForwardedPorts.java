package dev.muxtest;

import dev.muxtest.internal.junit.OpenClasses;
import java.net.InetSocketAddress;

/**
 * The ports of a running test class's {@link SshTunnel}s, for code that cannot take a {@link
 * ForwardedPort} parameter and has only the class to go by: a Spring {@code @DynamicPropertySource}
 * supplier, a static factory, a helper of the test's own.
 *
 * <pre>{@code
 * @SpringBootTest
 * @SshMultiplexing(scope = Scope.SUITE)
 * @SshTunnel(name = "db", host = "db", port = 5432)
 * abstract class DatabaseTest {
 *   @DynamicPropertySource
 *   static void datasource(DynamicPropertyRegistry registry) {
 *     registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:"
 *         + ForwardedPorts.port(DatabaseTest.class, "db") + "/app");
 *   }
 * }
 * }</pre>
 *
 * <p><b>When.</b> A class's ports can be read from the moment muxtest has opened its tunnels (its
 * {@code beforeAll} callback: before the class's {@code @BeforeAll} methods, before its test
 * instances, and so before a Spring application context loaded for them, whatever the order of the
 * extensions) until the class ends. Too early are a static initializer and a test instance made
 * with {@code @TestInstance(PER_CLASS)}, which JUnit makes before any {@code beforeAll} callback.
 *
 * <p><b>Which class.</b> The test class, or a superclass of the running test classes (the abstract
 * base that holds a {@code @DynamicPropertySource} method shared by its subclasses); a {@code
 * Nested} class also finds its enclosing classes' tunnels.
 *
 * <p><b>How long a port holds.</b> In {@link Scope#SUITE} a tunnel is the run's: the first class
 * that declares it opens it, every class declaring the same (name, type, host, port, bind port)
 * gets the same forward on the same port, and it closes when the run ends. So a value computed once
 * (a cached Spring context's JDBC URL and its connection pool) stays good for every class. In
 * {@link Scope#CLASS} each class has its own tunnels, closed with the class.
 */
public final class ForwardedPorts {

  private ForwardedPorts() {}

  /**
   * The listening end of the tunnel {@code tunnelName} of {@code testClass}, as a {@link
   * ForwardedPort} {@code int} parameter would receive it: for a LOCAL or DYNAMIC tunnel the
   * loopback port on the test machine, for a REMOTE tunnel the port listening on the server.
   *
   * @param testClass the running test class, or a superclass of running test classes
   * @param tunnelName the name given in {@link SshTunnel#name()}
   * @return the port
   * @throws IllegalStateException if no such class has its tunnels open now (not started yet, or
   *     ended), or if several running subclasses of {@code testClass} each have their own tunnel of
   *     that name (CLASS scope)
   * @throws IllegalArgumentException if an argument is null or blank, or no tunnel of that name is
   *     declared (the message lists the declared names)
   */
  public static int port(Class<?> testClass, String tunnelName) {
    requireValid(testClass, tunnelName);
    return OpenClasses.port(testClass, tunnelName);
  }

  /**
   * The listening end of the tunnel {@code tunnelName} of {@code testClass}, as a {@link
   * ForwardedPort} {@link InetSocketAddress} parameter would receive it: {@code 127.0.0.1} and the
   * port (for a REMOTE tunnel, the server's loopback and the port listening there).
   *
   * @param testClass the running test class, or a superclass of running test classes
   * @param tunnelName the name given in {@link SshTunnel#name()}
   * @return the address
   * @throws IllegalStateException as {@link #port(Class, String)}
   * @throws IllegalArgumentException as {@link #port(Class, String)}
   */
  public static InetSocketAddress address(Class<?> testClass, String tunnelName) {
    requireValid(testClass, tunnelName);
    return OpenClasses.address(testClass, tunnelName);
  }

  private static void requireValid(Class<?> testClass, String tunnelName) {
    if (testClass == null) {
      throw new IllegalArgumentException("ForwardedPorts: testClass must not be null");
    }
    if (tunnelName == null || tunnelName.isBlank()) {
      throw new IllegalArgumentException(
          "ForwardedPorts: the tunnel name must not be "
              + (tunnelName == null ? "null" : "blank")
              + " (looking up a tunnel of "
              + testClass.getName()
              + ")");
    }
  }
}
