package dev.muxtest.internal.engine;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The rule for a UNIX-domain socket path on the server, shared by {@code @SshTunnel(socket = ...)}
 * and {@code SshMaster.forwardLocalSocket}, so that both refuse the same paths before anything
 * reaches a server, a shell or an ssh option.
 */
public final class SocketPaths {

  /**
   * The longest path a UNIX socket address holds on Linux ({@code sun_path} is 108 bytes with its
   * NUL); OpenSSH refuses longer ones too.
   */
  public static final int MAX_BYTES = 107;

  private SocketPaths() {}

  /**
   * Why {@code path} cannot name a socket on the server: null, blank, not absolute, with a control
   * character (NUL, newline, ...), or longer than {@value #MAX_BYTES} bytes in UTF-8; empty if it
   * can.
   */
  public static Optional<String> problem(String path) {
    if (path == null) {
      return Optional.of("must not be null");
    }
    if (path.isBlank()) {
      return Optional.of("must not be blank");
    }
    if (path.chars().anyMatch(Character::isISOControl)) {
      // Not quoted back: the message would carry the newline or NUL itself.
      return Optional.of("must not contain a control character (NUL, newline, ...)");
    }
    if (!path.startsWith("/")) {
      return Optional.of("must be an absolute path (starting with '/'), but was '" + path + "'");
    }
    int bytes = path.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      return Optional.of(
          "must be at most "
              + MAX_BYTES
              + " bytes long (a UNIX socket address holds no more), but '"
              + path
              + "' has "
              + bytes);
    }
    return Optional.empty();
  }
}
