package dev.muxtest;

import dev.muxtest.internal.junit.MuxtestExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Declares a port forward that the test class reaches through its single SSH master connection.
 *
 * <p>{@link ForwardType#LOCAL} (the default) listens on {@code 127.0.0.1} on a free port (or {@link
 * #bindPort()}) and leads to {@link #host()}:{@link #port()} as seen from the SSH server, or to the
 * UNIX-domain socket {@link #socket()} on the server. {@link ForwardType#REMOTE} listens on the
 * server's loopback on {@link #bindPort()} (0: the server allocates one) and leads to {@link
 * #host()}:{@link #port()} on the test machine, which must be a loopback address. {@link
 * ForwardType#DYNAMIC} is a SOCKS proxy on {@code 127.0.0.1} and has no destination: leave {@link
 * #host()} and {@link #port()} unset.
 *
 * <p>On a test class the forward is opened, and checked, before the first test of the class and
 * closed after the last one; on a test method it is opened before that method's {@code @BeforeEach}
 * methods and closed after the method. A class tunnel in {@link Scope#SUITE} is the run's: opened
 * by the first class that declares it, the same forward (and port) for every class that declares
 * the same, closed when the run ends. Inject it with {@link ForwardedPort}, or read it with {@link
 * ForwardedPorts}. Presence of this annotation registers the muxtest extension.
 *
 * <pre>{@code
 * @SshTunnel(name = "web", port = 8080)
 * class ApiTest {
 *     @Test
 *     void answers(@ForwardedPort("web") int port) { ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Repeatable(SshTunnels.class)
@ExtendWith(MuxtestExtension.class)
public @interface SshTunnel {

  /**
   * Name of the tunnel, unique in its test class (or method); {@link ForwardedPort} refers to it.
   */
  String name();

  /** Direction of the forward; LOCAL unless set. */
  ForwardType type() default ForwardType.LOCAL;

  /**
   * Destination host: as seen from the SSH server for LOCAL (defaults to the server's own
   * loopback); on the test machine for REMOTE, where it must be a loopback address. Not set for
   * DYNAMIC, nor with {@link #socket()}.
   */
  String host() default "localhost";

  /**
   * Destination port, 1 to 65535: required for LOCAL and REMOTE (0 means unset and is rejected);
   * must stay unset (0) for DYNAMIC and with {@link #socket()}.
   */
  int port() default 0;

  /**
   * The listening port: on the test machine's loopback for LOCAL and DYNAMIC, on the server's
   * loopback for REMOTE. 0, the default, takes a free port (for REMOTE the server allocates it).
   */
  int bindPort() default 0;

  /**
   * A UNIX-domain socket on the server, by its absolute path (at most 107 bytes, no control
   * characters): the LOCAL forward then leads from its loopback port to that socket, as {@code ssh
   * -L 127.0.0.1:PORT:/path}. Excludes {@link #host()}, {@link #port()} and any {@link #type()} but
   * LOCAL. Empty, the default: a TCP destination.
   *
   * <pre>{@code
   * @SshTunnel(name = "db", socket = "/var/run/postgresql/.s.PGSQL.5432")
   * }</pre>
   */
  String socket() default "";
}
