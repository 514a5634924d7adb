/**
 * Not API: the JUnit Jupiter wiring. Declarations read from a test class (tunnels, server,
 * options), the resources of a class, of a test method and of the whole run (SUITE scope), kept in
 * the extension's stores, and the end-of-class proof. Types here may change in any release.
 *
 * <p>Public only where another package comes in: {@link MuxtestExtension} (named by the
 * annotations' {@code @ExtendWith}), {@link OpenClasses} (for {@code ForwardedPorts}), {@link
 * Proof} (for the AssertJ entry points) and {@link MethodSession} (what a test method is given).
 */
package dev.muxtest.internal.junit;
