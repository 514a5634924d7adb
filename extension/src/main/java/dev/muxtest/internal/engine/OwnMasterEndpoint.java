package dev.muxtest.internal.engine;

import dev.muxtest.UserMaster;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

/**
 * A server reached only through a master the user opened ({@link UserMaster}): where it is, who
 * logs in and which host key was trusted are that master's business, so this endpoint knows its
 * control socket and, if given, the server's login log. No engine may connect to it: every session
 * rides the user's master.
 */
public final class OwnMasterEndpoint implements ServerEndpoint {

  /**
   * The destination name every ssh invocation gives: a reserved name (RFC 6761) that resolves
   * nowhere, so that even a client that ignored the failing ProxyCommand could not connect.
   */
  public static final String UNREACHABLE_HOST = "muxtest-own-master.invalid";

  private final UserMaster master;
  private final Path controlSocket;
  private volatile int earlierLogins;

  /** Wraps the user's master. */
  public OwnMasterEndpoint(UserMaster master) {
    this.master = master;
    this.controlSocket = master.controlSocket();
  }

  /** The user's master's control socket (an absolute path). */
  public Path controlSocket() {
    return controlSocket;
  }

  @Override
  public String host() {
    return UNREACHABLE_HOST;
  }

  @Override
  public int port() {
    return 22;
  }

  /** The local user: the user's master runs as that user (its socket is theirs). */
  @Override
  public String user() {
    return System.getProperty("user.name");
  }

  /**
   * No key at all: the user's master checked the host key when it connected, and no engine connects
   * to this endpoint itself.
   */
  @Override
  public HostKeyPolicy hostKeyPolicy() {
    return new HostKeyPolicy.KnownHosts(Path.of("/dev/null"));
  }

  /** Notes the logins already in the server's log: any new one is a connection of its own. */
  @Override
  public void beforeConnect(PublicKey clientKey) {
    earlierLogins = allLogins().size();
  }

  /** Its sessions ride the user's OpenSSH control socket, which only the OpenSSH engine can. */
  @Override
  public boolean needsOpenSsh() {
    return true;
  }

  @Override
  public boolean logsLogins() {
    return master.loginLog().isPresent();
  }

  /**
   * The server's {@code Accepted} lines since {@link #beforeConnect}, of any key and user: the
   * user's master logged in before, so every new one is a connection that did not ride it.
   */
  @Override
  public List<String> acceptedLogins(PublicKey clientKey) {
    List<String> all = allLogins();
    return all.subList(Math.min(earlierLogins, all.size()), all.size());
  }

  private List<String> allLogins() {
    return master.loginLog().map(log -> SshdLogLine.anyLogins(log.get())).orElse(List.of());
  }

  @Override
  public String describe() {
    return "the user's own master on " + controlSocket;
  }
}
