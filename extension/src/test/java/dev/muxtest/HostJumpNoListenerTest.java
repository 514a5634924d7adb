package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The MINA engine reaches each further hop of a chain over a loopback forward through the hop
 * before it; once that hop's session is connected, the forward's listener is closed, so that no
 * other process of the machine can ride it to the hop's SSH port while the master lives. (The
 * OpenSSH engine's ProxyJump uses the jump ssh's standard streams: no listener at all.)
 */
@Isolated("counts the listening sockets of the whole JVM")
class HostJumpNoListenerTest {

  @TempDir static Path dir;
  static StagingNetwork network;

  @BeforeAll
  static void startTheNetwork() {
    network = new StagingNetwork(dir.resolve("home")).start();
  }

  @AfterAll
  static void stopTheNetwork() {
    if (network != null) {
      network.close();
    }
  }

  @Test
  void aMinaMasterThroughTwoHopsLeavesNoListenerOpen() throws IOException {
    SshHost db = network.db().withJumpHost(network.app().withJumpHost(network.bastion()));
    Set<Integer> before = listeningPortsOfThisJvm();

    try (CloseableSshMaster master =
        SshMasters.connect(db, MasterOptions.defaults().withEngine(Engine.MINA))) {
      assertThat(master.exec("hostname").stdout()).isEqualTo("db\n");

      assertThat(listeningPortsOfThisJvm()).isEqualTo(before);
      assertThat(master.exec("echo still connected").stdout()).isEqualTo("still connected\n");
    }
  }

  /** The TCP ports this JVM listens on, from the kernel's tables and this process's sockets. */
  private static Set<Integer> listeningPortsOfThisJvm() throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException e) {
          // Closed since listed: not a listener of ours any more.
        }
      }
    }
    Set<Integer> ports = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.isReadable(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] columns = line.strip().split("\\s+");
        String local = columns[1];
        if (columns[3].equals("0A") && inodes.contains(columns[9])) { // 0A: LISTEN
          ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
        }
      }
    }
    return ports;
  }
}
