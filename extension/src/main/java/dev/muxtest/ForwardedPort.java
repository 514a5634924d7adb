package dev.muxtest;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects the listening end of the {@link SshTunnel} with the given name: for a LOCAL or DYNAMIC
 * tunnel the loopback port on the test machine, for a REMOTE tunnel the port listening on the
 * server's loopback (where the server's own processes reach the test machine).
 *
 * <p>Supported parameter types: {@code int} and {@link Integer} (the port), {@link
 * java.net.InetSocketAddress} (loopback address and port) and, for a DYNAMIC tunnel only, {@link
 * java.net.Proxy} (a SOCKS proxy on {@code 127.0.0.1}). A tunnel declared on the test method takes
 * precedence over a class tunnel of the same name.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface ForwardedPort {

  /**
   * Name of a tunnel declared with {@link SshTunnel} on the test method, class or an enclosing
   * class.
   */
  String value();
}
