package dev.muxtest;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Declares a local port forward that the test class reaches through its single SSH master
 * connection.
 *
 * <p>The forward listens on {@code 127.0.0.1} on a free port and leads to {@link #host()}:{@link
 * #port()} as seen from the SSH server. It is opened, and checked end to end, before the first
 * test of the class and closed after the last one. Inject its local end with {@link
 * ForwardedPort}. Presence of this annotation registers the muxtest extension.
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
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Repeatable(SshTunnels.class)
@ExtendWith(MuxtestExtension.class)
public @interface SshTunnel {

  /** Name of the tunnel, unique in its test class; {@link ForwardedPort} refers to it. */
  String name();

  /** Destination host as seen from the SSH server; defaults to the server's own loopback. */
  String host() default "localhost";

  /** Destination port, 1 to 65535. Required: 0 means unset and is rejected. */
  int port() default 0;
}
