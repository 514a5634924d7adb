/**
 * Not API: the parts of {@link dev.muxtest.EmbeddedSshServer}, Apache MINA SSHD's server in the
 * test JVM. Public-key logins recorded by the server itself, session channels limited and their
 * environment filtered as OpenSSH's sshd does, commands run by the test machine's bash (else {@code
 * /bin/sh}), and a forwarding policy that listens on loopback only. Types here may change in any
 * release.
 */
package dev.muxtest.internal.embedded;
