/**
 * muxtest: one SSH master connection per test class (or per run) carries every forward, command,
 * process and file transfer of the tests, and the server's own log proves it was one connection.
 *
 * <p>Start with {@link dev.muxtest.SshTunnel @SshTunnel} on a test class: the extension opens the
 * master, the forwards, injects {@link dev.muxtest.ForwardedPort @ForwardedPort} values and {@link
 * dev.muxtest.SshMaster}, and closes everything after the class. The server is the class's {@link
 * dev.muxtest.SshServer @SshServer} field, any {@link dev.muxtest.SshTarget}: a real OpenSSH sshd
 * in a container ({@link dev.muxtest.SshdContainer}), Apache MINA SSHD's server in the test JVM
 * ({@link dev.muxtest.EmbeddedSshServer}), a host outside the test ({@link dev.muxtest.SshHost}),
 * or a master the user opened ({@link dev.muxtest.UserMaster}); without one, a container is started
 * for the run. {@link dev.muxtest.SshMultiplexing @SshMultiplexing} chooses the engine (Apache MINA
 * SSHD in the JVM, or OpenSSH's own {@code ssh -M}) and the scope. Outside JUnit, {@link
 * dev.muxtest.SshMasters} gives the same master.
 *
 * <p>AssertJ entry points are in {@code dev.muxtest.assertj}. Packages under {@code
 * dev.muxtest.internal} are not API.
 */
package dev.muxtest;
