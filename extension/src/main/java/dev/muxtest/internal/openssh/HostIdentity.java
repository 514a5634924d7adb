package dev.muxtest.internal.openssh;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a pid means something: the boot, the PID namespace and the host a control directory's owner
 * ran in. A pid recorded by a JVM in another container sharing {@code /tmp}, on another host
 * sharing an NFS directory, or before a reboot names some other process here, or none.
 *
 * @param bootId the kernel's boot id ({@code /proc/sys/kernel/random/boot_id}); "none" where the
 *     system has no such file (macOS)
 * @param pidNamespace the inode of {@code /proc/self/ns/pid}; "none" where there are no PID
 *     namespaces (macOS)
 * @param hostName the host name
 */
record HostIdentity(String bootId, String pidNamespace, String hostName) {

  /** What a field may hold: it is written as one line of the owner record. */
  private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9._:-]{1,255}");

  private static final Path PROC = Path.of("/proc");

  /** Whether every field has a form the owner record can hold. */
  boolean wellFormed() {
    return FIELD.matcher(bootId).matches()
        && FIELD.matcher(pidNamespace).matches()
        && FIELD.matcher(hostName).matches();
  }

  /**
   * This JVM's, if it can be told: on Linux from {@code /proc}, all three or nothing; elsewhere the
   * host name alone.
   */
  static Optional<HostIdentity> current() {
    try {
      HostIdentity identity;
      if (Files.isDirectory(PROC.resolve("self").resolve("ns"))) {
        String namespace =
            Files.readSymbolicLink(PROC.resolve("self/ns/pid")).toString().replaceAll("\\D", "");
        identity =
            new HostIdentity(
                read(PROC.resolve("sys/kernel/random/boot_id")),
                namespace,
                read(PROC.resolve("sys/kernel/hostname")));
      } else {
        identity = new HostIdentity("none", "none", InetAddress.getLocalHost().getHostName());
      }
      return identity.wellFormed() ? Optional.of(identity) : Optional.empty();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty();
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.US_ASCII).strip();
  }
}
