package dev.muxtest.internal.embedded;

import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.SshdLogLine;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;

/**
 * The embedded server's authorised keys and its own record of the logins made with them: one {@code
 * Accepted publickey for ...} entry per authenticated connection, worded as OpenSSH's sshd logs it,
 * so that the proof and its diagnostics read alike for both kinds of server. Nothing is parsed: the
 * server notes the key of each connection when that connection is authenticated.
 */
public final class LoginRecorder implements PublickeyAuthenticator, SessionListener {

  /** The key most recently accepted on a connection: the one it authenticates with. */
  private static final AttributeKey<PublicKey> ACCEPTED_KEY = new AttributeKey<>();

  private static final int RECENT_LOG_LINES = 50;

  /** One authenticated connection: the key's fingerprint and the log line. */
  private record Login(String fingerprint, String line) {}

  private final String user;
  private final List<PublicKey> authorized = new CopyOnWriteArrayList<>();
  private final List<Login> logins = new CopyOnWriteArrayList<>();
  private final Deque<String> recentLog = new ArrayDeque<>();

  /** Records logins of {@code user}, the only user who may log in. */
  public LoginRecorder(String user) {
    this.user = user;
  }

  /** Lets {@code key} log in, from now on. */
  public void authorize(PublicKey key) {
    authorized.add(key);
  }

  /**
   * Accepts only the login user with a plain public key authorised here (no certificates). MINA
   * asks this before it checks the signature, and again for the signed request; the connection is
   * authenticated only by a signed request, so the key noted last on it is the one it logged in
   * with.
   */
  @Override
  public boolean authenticate(String username, PublicKey key, ServerSession session) {
    boolean accepted =
        user.equals(username)
            && !(key instanceof OpenSshCertificate)
            && authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
    if (accepted) {
      session.setAttribute(ACCEPTED_KEY, key);
    } else {
      remember(
          String.format(
              "Refused publickey for %s from %s: %s %s",
              username, describe(session.getRemoteAddress()), keyType(key), fingerprint(key)));
    }
    return accepted;
  }

  @Override
  public void sessionCreated(Session session) {
    remember("Connection from " + describe(session.getRemoteAddress()));
  }

  @Override
  public void sessionEvent(Session session, Event event) {
    if (event != Event.Authenticated) {
      return;
    }
    PublicKey key = session.getAttribute(ACCEPTED_KEY);
    if (key == null) {
      return; // authenticated by no key of ours: cannot happen with public-key auth only
    }
    String line =
        SshdLogLine.acceptedPublicKey(
            session.getUsername(),
            describe(session.getRemoteAddress()),
            keyType(key),
            fingerprint(key));
    logins.add(new Login(fingerprint(key), line));
    remember(line);
  }

  /** The log lines of connections authenticated with {@code key}, one per connection. */
  public List<String> acceptedLogins(PublicKey key) {
    String fingerprint = fingerprint(key);
    return logins.stream()
        .filter(l -> l.fingerprint().equals(fingerprint))
        .map(Login::line)
        .toList();
  }

  /** The server's last events: connections, refused keys, logins. */
  public List<String> recentLog() {
    synchronized (recentLog) {
      return List.copyOf(recentLog);
    }
  }

  private void remember(String line) {
    synchronized (recentLog) {
      recentLog.addLast(line);
      while (recentLog.size() > RECENT_LOG_LINES) {
        recentLog.removeFirst();
      }
    }
  }

  private static String fingerprint(PublicKey key) {
    return KeyMaterial.fingerprint(key);
  }

  /** {@code 127.0.0.1 port 50412}, as sshd names a peer. */
  private static String describe(SocketAddress address) {
    return address instanceof InetSocketAddress inet
        ? inet.getAddress().getHostAddress() + " port " + inet.getPort()
        : String.valueOf(address);
  }

  /** The key type as sshd logs it: ECDSA, ED25519, RSA. */
  static String keyType(PublicKey key) {
    String type = String.valueOf(KeyUtils.getKeyType(key));
    if (type.startsWith("ecdsa-sha2-")) {
      return "ECDSA";
    }
    return switch (type) {
      case "ssh-ed25519" -> "ED25519";
      case "ssh-rsa" -> "RSA";
      case "ssh-dss" -> "DSA";
      default -> type.toUpperCase(Locale.ROOT);
    };
  }
}
