package dev.muxtest;

/** The SSH client that holds a class's master connection. */
public enum Engine {

  /**
   * The configured default: the configuration parameter {@code muxtest.engine}, else {@link #MINA}.
   */
  DEFAULT,

  /**
   * Apache MINA SSHD in the test JVM: one client session, that is one TCP connection, many
   * channels.
   */
  MINA,

  /**
   * The OpenSSH client's own master mode ({@code ssh -M -S <control socket>}); any OpenSSH client
   * in a test can share it through {@link SshMaster#controlPath()}.
   */
  OPENSSH
}
