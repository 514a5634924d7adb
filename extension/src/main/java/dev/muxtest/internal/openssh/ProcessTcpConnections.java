package dev.muxtest.internal.openssh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The established TCP connections an OpenSSH master holds, read from Linux's /proc: the sockets
 * among the open files of the master and its descendants (a ProxyJump's ssh holds the master's
 * connection), matched by inode against /proc/net/tcp and tcp6.
 */
final class ProcessTcpConnections {

  /** /proc/net/tcp's state column for an established connection. */
  private static final String ESTABLISHED = "01";

  private ProcessTcpConnections() {}

  /**
   * The connections, as {@code local->remote} ({@code 127.0.0.1:40312->10.0.0.5:22}); empty if they
   * cannot be read here (no /proc, or the process is another user's).
   */
  static Optional<Set<String>> of(ProcessHandle master) {
    Set<String> inodes = new HashSet<>();
    List<ProcessHandle> processes = Stream.concat(Stream.of(master), master.descendants()).toList();
    for (ProcessHandle process : processes) {
      Path fds = Path.of("/proc", Long.toString(process.pid()), "fd");
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
        for (Path fd : entries) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring("socket:[".length(), target.length() - 1));
            }
          } catch (IOException closedMeanwhile) {
            // an fd closed while listed: not a connection now
          }
        }
      } catch (IOException e) {
        if (process == master) {
          return Optional.empty();
        }
      }
    }
    Set<String> connections = new TreeSet<>();
    for (String table : List.of("tcp", "tcp6")) {
      Path file = Path.of("/proc", Long.toString(master.pid()), "net", table);
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        continue; // no IPv6 here
      }
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        String[] fields = line.strip().split("\\s+");
        if (fields.length > 9 && fields[3].equals(ESTABLISHED) && inodes.contains(fields[9])) {
          connections.add(address(fields[1]) + "->" + address(fields[2]));
        }
      }
    }
    return Optional.of(connections);
  }

  /**
   * /proc's {@code ADDRESS:PORT} in hex, the address as 32-bit words in host order (little-endian
   * on the machines this runs on), as {@code address:port} or {@code [address]:port}.
   */
  static String address(String hex) {
    int colon = hex.indexOf(':');
    String address = hex.substring(0, colon);
    int port = Integer.parseInt(hex.substring(colon + 1), 16);
    byte[] bytes = new byte[address.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = (word * 4 + 3 - i) * 2; // the word's bytes, last first
        bytes[word * 4 + i] = (byte) Integer.parseInt(address.substring(at, at + 2), 16);
      }
    }
    try {
      String text = InetAddress.getByAddress(bytes).getHostAddress();
      return (bytes.length == 16 ? "[" + text + "]" : text) + ":" + port;
    } catch (UnknownHostException e) {
      return hex; // not 4 or 16 bytes: shown as /proc has it
    }
  }
}
