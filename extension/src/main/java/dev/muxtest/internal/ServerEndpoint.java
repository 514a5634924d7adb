package dev.muxtest.internal;

import java.security.PublicKey;
import java.util.List;
import java.util.OptionalInt;

/** An SSH server a master connects to, and the server-side evidence it can give. */
public interface ServerEndpoint {

  /** Host to connect to from the test JVM. */
  String host();

  /** Port to connect to from the test JVM. */
  int port();

  /** Login user. */
  String user();

  /** The server's host key; the only key the client accepts. */
  PublicKey hostKey();

  /** Lets {@code clientKey} log in as {@link #user()}. */
  void authorize(PublicKey clientKey);

  /** The server's log lines of connections authenticated with {@code clientKey}, one per connection. */
  List<String> acceptedLogins(PublicKey clientKey);

  /** The server's MaxSessions (sessions per connection), when known. */
  default OptionalInt maxSessions() {
    return OptionalInt.empty();
  }

  /** {@code user@host:port}, for messages. */
  default String describe() {
    return user() + "@" + host() + ":" + port();
  }
}
