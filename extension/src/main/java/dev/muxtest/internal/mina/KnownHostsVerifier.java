package dev.muxtest.internal.mina;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Checks a server's host key against an OpenSSH known_hosts file as the OpenSSH client does with
 * {@code CheckHostIP no} and {@code StrictHostKeyChecking yes} (the OpenSSH engine's settings), so
 * that both engines take the same decision for a server outside the test.
 *
 * <p>The host is looked up by the name (or address) the master connects to, and its port: {@code
 * host} for port 22, {@code [host]:port} otherwise; never by the address the name resolves to. An
 * entry matches when one of its comma-separated patterns matches that string ({@code *} any run of
 * characters, {@code ?} one; case-insensitive) and none of its {@code !} patterns does, or when it
 * is a hashed entry ({@code |1|salt|hash}) of that string. The key is accepted when a matching
 * entry holds it and no matching {@code @revoked} entry does; any other key under that name (of any
 * type) refuses it as changed. On a port other than 22, when no entry at all is for {@code
 * [host]:port}, the entries for {@code host} decide instead (OpenSSH's "checking without port
 * identifier"). {@code @cert-authority} entries never accept a plain host key (OpenSSH's rule too),
 * and host certificates are not supported. Lines that do not parse are skipped, as OpenSSH skips
 * them. MINA's own {@code KnownHostsServerKeyVerifier} differs: it also accepts a key listed under
 * the resolved address, and a {@code *} entry only on port 22.
 *
 * <p>A refusal throws {@link HostKeyRefusedException}, naming the file, the host and the reason;
 * MINA then fails the connection with it.
 */
final class KnownHostsVerifier implements ServerKeyVerifier {

  private static final String HASH_MAGIC = "|1|";
  private static final String REVOKED = "@revoked";
  private static final String CERT_AUTHORITY = "@cert-authority";
  private static final int DEFAULT_PORT = 22;
  private static final AttributeRepository.AttributeKey<PublicKey> ACCEPTED =
      new AttributeRepository.AttributeKey<>();

  private final Path file;
  private final String lookupName;
  private final String portlessName;

  /** Checks the keys of the server at {@code host}:{@code port} against {@code file}. */
  KnownHostsVerifier(Path file, String host, int port) {
    this.file = file;
    this.lookupName = lookupName(host, port);
    this.portlessName = lookupName(host, DEFAULT_PORT);
  }

  /**
   * The string OpenSSH looks a host up by: the host name lower-cased, in brackets with its port
   * unless the port is 22.
   */
  static String lookupName(String host, int port) {
    String name = host.toLowerCase(Locale.ROOT);
    return port == DEFAULT_PORT ? name : "[" + name + "]:" + port;
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
    PublicKey earlier = session == null ? null : session.getAttribute(ACCEPTED);
    if (earlier != null && KeyUtils.compareKeys(earlier, serverKey)) {
      // A re-key of this session with the key already accepted: OpenSSH does not read the file
      // again either (it may be gone by now, in a temporary directory). A new connection does.
      return true;
    }
    Optional<String> refusal = check(serverKey);
    if (refusal.isPresent()) {
      throw new HostKeyRefusedException(refusal.get());
    }
    if (session != null) {
      session.setAttribute(ACCEPTED, serverKey);
    }
    return true;
  }

  /** Why {@code serverKey} is refused for this host, or empty when the file accepts it. */
  Optional<String> check(PublicKey serverKey) {
    if (serverKey instanceof OpenSshCertificate) {
      return refused("presented a host certificate; muxtest does not support host certificates");
    }
    List<Entry> entries;
    try {
      entries = entries();
    } catch (IOException e) {
      return refused("cannot be checked: cannot read " + file + ": " + e.getMessage());
    }
    Lookup withPort = Lookup.of(entries, lookupName, serverKey);
    if (withPort.status() == Status.OK) {
      return Optional.empty();
    }
    String fingerprint = KeyUtils.getFingerPrint(serverKey);
    if (withPort.status() != Status.NEW || portlessName.equals(lookupName)) {
      return refused(withPort.reason(lookupName, fingerprint, file));
    }
    // OpenSSH's fallback: no key at all under [host]:port, so the port-less entries decide.
    Lookup portless = Lookup.of(entries, portlessName, serverKey);
    if (portless.status() == Status.OK) {
      return Optional.empty();
    }
    return refused(
        portless.status() == Status.NEW
            ? withPort.reason(lookupName + " (nor " + portlessName + ")", fingerprint, file)
            : portless.reason(portlessName, fingerprint, file));
  }

  private Optional<String> refused(String reason) {
    return Optional.of("Server key did not validate: " + lookupName + " " + reason);
  }

  /** OpenSSH's host status for a key. */
  enum Status {
    OK,
    NEW,
    CHANGED,
    REVOKED
  }

  /**
   * The status of a key under one lookup name, as OpenSSH's check_key_in_hostkeys decides it: a
   * plain entry with the key makes it known; any other plain entry for the name (of any key type)
   * makes it changed; a matching {@code @revoked} entry with the key overrides both.
   */
  record Lookup(Status status, int line, boolean certAuthority) {

    static Lookup of(List<Entry> entries, String name, PublicKey key) {
      Status status = Status.NEW;
      int line = 0;
      boolean certAuthority = false;
      for (Entry entry : entries) {
        if (!entry.matches(name)) {
          continue;
        }
        if (entry.marker().equals(CERT_AUTHORITY)) {
          certAuthority = true;
        } else if (entry.marker().isEmpty() && status != Status.OK) {
          boolean same = KeyUtils.compareKeys(entry.key(), key);
          status = same ? Status.OK : Status.CHANGED;
          line = entry.line();
        }
      }
      for (Entry entry : entries) {
        if (entry.marker().equals(REVOKED)
            && entry.matches(name)
            && KeyUtils.compareKeys(entry.key(), key)) {
          return new Lookup(Status.REVOKED, entry.line(), certAuthority);
        }
      }
      return new Lookup(status, line, certAuthority);
    }

    /** Why the key is refused under {@code name}, for a message. */
    String reason(String name, String fingerprint, Path file) {
      return switch (status) {
        case REVOKED ->
            "presented key "
                + fingerprint
                + ", which "
                + file
                + " marks @revoked (line "
                + line
                + ")";
        case CHANGED ->
            "presented key "
                + fingerprint
                + ", but "
                + file
                + " holds another key for "
                + name
                + " (line "
                + line
                + "): the host key changed, or another server answers";
        case NEW ->
            certAuthority
                ? "presented key "
                    + fingerprint
                    + ", but "
                    + file
                    + " has only @cert-authority entries for "
                    + name
                    + "; muxtest does not support host certificates"
                : "presented key " + fingerprint + ", but " + file + " has no key for " + name;
        case OK -> "was accepted";
      };
    }
  }

  /** Every parsed entry of the file, in file order; lines that do not parse are skipped. */
  private List<Entry> entries() throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      parse(lines.get(i), i + 1).ifPresent(entries::add);
    }
    return entries;
  }

  /** One line of the file, or empty for a comment, a blank or a line that does not parse. */
  static Optional<Entry> parse(String text, int line) {
    String rest = text.strip();
    if (rest.isEmpty() || rest.startsWith("#")) {
      return Optional.empty();
    }
    String marker = "";
    if (rest.startsWith("@")) {
      String[] split = rest.split("\\s+", 2);
      if (split.length < 2 || !(split[0].equals(REVOKED) || split[0].equals(CERT_AUTHORITY))) {
        return Optional.empty(); // an unknown marker: OpenSSH skips the line
      }
      marker = split[0];
      rest = split[1];
    }
    String[] split = rest.split("\\s+", 2);
    if (split.length < 2) {
      return Optional.empty();
    }
    try {
      PublicKey key =
          PublicKeyEntry.parsePublicKeyEntry(split[1])
              .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
      return key == null
          ? Optional.empty() // a key type MINA does not know
          : Optional.of(new Entry(marker, split[0], key, line));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A known_hosts line: marker ("" for none), host patterns or hash, key, line number. */
  record Entry(String marker, String hosts, PublicKey key, int line) {

    /** Whether this entry is for {@code name} (a lookup name). */
    boolean matches(String name) {
      return hosts.startsWith(HASH_MAGIC) ? hashMatches(name) : patternsMatch(name);
    }

    private boolean hashMatches(String name) {
      String[] parts = hosts.substring(HASH_MAGIC.length()).split("\\|", -1);
      if (parts.length != 2) {
        return false;
      }
      try {
        byte[] salt = Base64.getDecoder().decode(parts[0]);
        byte[] expected = Base64.getDecoder().decode(parts[1]);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] actual = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(expected, actual);
      } catch (IllegalArgumentException | GeneralSecurityException e) {
        return false; // not a hash OpenSSH could have written
      }
    }

    /** OpenSSH's match_hostname: a negated match wins over any positive one. */
    private boolean patternsMatch(String name) {
      boolean positive = false;
      for (String pattern : hosts.split(",")) {
        boolean negated = pattern.startsWith("!");
        String glob = (negated ? pattern.substring(1) : pattern).toLowerCase(Locale.ROOT);
        if (glob(glob, name)) {
          if (negated) {
            return false;
          }
          positive = true;
        }
      }
      return positive;
    }
  }

  /**
   * Whether {@code text} matches {@code pattern}, where {@code *} is any run of characters and
   * {@code ?} any one; in time bounded by the product of the lengths, whatever the pattern.
   */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1; // position of the last * seen in the pattern
    int resume = 0; // where in the text that * would next give way
    while (t < text.length()) {
      if (p < pattern.length()
          && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  /** A host key the known_hosts file does not accept, with the reason. */
  static final class HostKeyRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HostKeyRefusedException(String message) {
      super(message);
    }
  }
}
