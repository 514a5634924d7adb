package dev.muxtest.internal.openssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The check OpenSSH's {@code safe_path} makes of a key's directories, made of the base the private
 * control directories are made in: the base and each directory above it, up to the user's home or
 * the root, is owned by this user or root and is writable by no one else, unless its sticky bit is
 * set (as on {@code /tmp}), where no one can rename or remove another user's entries. Someone who
 * may write a non-sticky base could swap a fresh control directory for one of their own, before the
 * key and config are written into it.
 */
final class SafeBase {

  private static final int GROUP_OR_OTHER_WRITE = 0022;
  private static final int STICKY = 01000;

  private SafeBase() {}

  /**
   * Why {@code base} (which exists) is not safe for this user's private keys, if it is not.
   *
   * @param uid this user's uid
   */
  static Optional<String> whyUnsafe(Path base, int uid) throws IOException {
    Path home = Path.of(System.getProperty("user.home", "/")).toAbsolutePath();
    for (Path dir = base.toRealPath(); dir != null; dir = dir.getParent()) {
      int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if (owner != uid && owner != 0) {
        return Optional.of(
            String.format(
                "%s is owned by uid %d, neither this user (uid %d) nor root", dir, owner, uid));
      }
      if ((mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & STICKY) == 0) {
        return Optional.of(
            String.format(
                "%s (mode %04o) is writable by group or others without the sticky bit",
                dir, mode & 07777));
      }
      if (dir.equals(home)) {
        break; // as OpenSSH: the directories above the user's home are the system's
      }
    }
    return Optional.empty();
  }
}
