package dev.muxtest.internal.engine;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** An SSH server a master connects to, and the server-side evidence it can give. */
public interface ServerEndpoint {

  /** Host to connect to from the test JVM (behind a jump host: as the jump host sees it). */
  String host();

  /** Port to connect to from the test JVM (behind a jump host: as the jump host sees it). */
  int port();

  /** Login user. */
  String user();

  /** Which host key the master accepts from this server. */
  HostKeyPolicy hostKeyPolicy();

  /**
   * Readies the server for the master's logins with {@code clientKey}, before it connects: a
   * container the test started authorises the key (on its jump host too); a server outside the test
   * notes the logins of that key already in its log, so that only the master's own count.
   */
  void beforeConnect(PublicKey clientKey);

  /**
   * The server's log lines of connections authenticated with {@code clientKey} since {@link
   * #beforeConnect}, one per connection; behind a jump host, a container's are the jump host's (the
   * test machine's connection is the one to it), a server outside the test's are its own (its log
   * is the one given; one login per connection of the master all the same).
   */
  List<String> acceptedLogins(PublicKey clientKey);

  /**
   * The identity file to log in with, for a server outside the test; else a fresh key pair is made.
   */
  default Optional<Path> identityFile() {
    return Optional.empty();
  }

  /**
   * Whether {@link #acceptedLogins} reads a real log; without one the proof is the client's count
   * alone.
   */
  default boolean logsLogins() {
    return true;
  }

  /** The server's MaxSessions (sessions per connection), when known. */
  default OptionalInt maxSessions() {
    return OptionalInt.empty();
  }

  /**
   * The server to connect to first, which then connects to this one (OpenSSH's ProxyJump); when
   * present, {@link #host()} and {@link #port()} are as that jump host sees them.
   */
  default Optional<ServerEndpoint> jumpHost() {
    return Optional.empty();
  }

  /** {@code user@host:port} (and {@code via} the jump host), for messages. */
  default String describe() {
    return user()
        + "@"
        + host()
        + ":"
        + port()
        + jumpHost().map(j -> " via " + j.describe()).orElse("");
  }

  /**
   * The OpenSSH certificate to log in with, for a server outside the test whose ssh config gives
   * one; only the OpenSSH engine offers it.
   */
  default Optional<Path> certificateFile() {
    return Optional.empty();
  }

  /**
   * A key pair made for one master alone, when the server has no identity file: by default a new
   * one, which {@link #beforeConnect} then authorises; a container hands out one it authorised
   * already, in a batch, sparing a command in the container per master.
   */
  default KeyPair freshIdentity() {
    return KeyMaterial.generate();
  }

  /**
   * Whether only the OpenSSH engine can reach this server: the user's own master, whose sessions
   * ride an OpenSSH control socket.
   */
  default boolean needsOpenSsh() {
    return false;
  }

  /**
   * Whether the server was started for the test (a container, an embedded server) rather than a
   * host of the user's infrastructure: its connections may use the key exchange MINA uses, which
   * costs less than the post-quantum hybrid OpenSSH 9 puts first (see {@code OpenSshConfig}).
   */
  default boolean startedForTheTest() {
    return false;
  }

  /**
   * Whether the server forwards connections to its UNIX-domain sockets ({@code
   * direct-streamlocal@openssh.com}); OpenSSH's sshd does.
   */
  default boolean forwardsUnixSockets() {
    return true;
  }
}
