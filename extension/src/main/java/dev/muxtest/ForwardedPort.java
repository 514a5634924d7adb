package dev.muxtest;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects the local end of the {@link SshTunnel} with the given name.
 *
 * <p>Supported parameter types: {@code int}, {@link Integer} (the local port) and {@link
 * java.net.InetSocketAddress} (the loopback address and port).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface ForwardedPort {

  /** Name of a tunnel declared with {@link SshTunnel} on the test class. */
  String value();
}
