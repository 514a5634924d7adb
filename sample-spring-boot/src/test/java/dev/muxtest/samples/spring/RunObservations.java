package dev.muxtest.samples.spring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.context.ApplicationContext;

/** What each test class saw, so that the classes after it can compare. */
final class RunObservations {

  /**
   * One class's view.
   *
   * @param context the Spring application context it was given
   * @param dataSource the context's connection pool
   * @param poolName the pool's name
   * @param tunnelPort the local port of the tunnel "db"
   * @param sshClientPort the client port of the SSH connection, as the target sees it
   *     ($SSH_CONNECTION): the same port, the same connection from the bastion, the same master
   * @param backendPid the PostgreSQL backend serving the pool's one connection
   */
  record Seen(
      ApplicationContext context,
      DataSource dataSource,
      String poolName,
      int tunnelPort,
      String sshClientPort,
      int backendPid) {}

  private static final Map<Class<?>, Seen> SEEN = new ConcurrentHashMap<>();

  private RunObservations() {}

  static void record(Class<?> testClass, Seen seen) {
    SEEN.put(testClass, seen);
  }

  static Seen of(Class<?> testClass) {
    return SEEN.get(testClass);
  }
}
