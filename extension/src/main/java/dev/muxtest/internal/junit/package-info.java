/**
 * Not API: the JUnit Jupiter wiring. Declarations read from a test class (tunnels, server,
 * options), the resources of a class, of a test method and of the whole run (SUITE scope), kept in
 * the extension's stores, and the end-of-class proof. Types here may change in any release.
 *
 * <p>Public only where another package comes in: {@link MuxtestExtension} (named by the
 * annotations' {@code @ExtendWith}), {@link OpenClasses} (for {@code ForwardedPorts}) and {@link
 * MethodSession} (what a test method is given; tests of the extension look into it).
 */
package dev.muxtest.internal.junit;
