package dev.muxtest.internal.engine;

/** The server of a class that declares no {@code @SshServer} (nor has an enclosing one). */
public enum DefaultServer {
  /** A new {@code SshdContainer}: a real OpenSSH sshd, needs Docker. */
  CONTAINER,
  /** A new {@code EmbeddedSshServer} in the test JVM: needs no Docker. */
  EMBEDDED
}
