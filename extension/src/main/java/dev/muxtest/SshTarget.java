package dev.muxtest;

/**
 * A server a master connects to: what an {@link SshServer} field holds and what {@link
 * SshMasters#connect(SshTarget)} takes. There are four kinds, each its own type:
 *
 * <ul>
 *   <li>{@link SshdContainer}: OpenSSH's sshd in a container the test starts (Docker);
 *   <li>{@link EmbeddedSshServer}: Apache MINA SSHD's server in the test JVM, for machines without
 *       Docker;
 *   <li>{@link SshHost}: a real server outside the test, by address or ssh config alias, with its
 *       own identity file and known_hosts file;
 *   <li>{@link UserMaster}: the server behind an OpenSSH master the user opened by hand, reached
 *       through its control socket (OpenSSH engine only).
 * </ul>
 *
 * <p>The first three name where they listen with {@code host()}, {@code port()} and {@code user()};
 * a user's master knows only its socket.
 */
public sealed interface SshTarget permits SshdContainer, EmbeddedSshServer, SshHost, UserMaster {}
