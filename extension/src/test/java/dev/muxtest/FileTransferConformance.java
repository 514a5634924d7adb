package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.assertj.MuxAssertions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files and binary output over the master (issue 12), run per engine by {@link
 * MinaFileTransferTest} and {@link OpenSshFileTransferTest}, each with its own {@code @SshServer}:
 * SFTP uploads and downloads checked by SHA-256 on both sides, their failures, hostile names, and
 * the exact bytes of a command's output. Every case ends with the proof that all of it shared one
 * TCP connection.
 */
abstract class FileTransferConformance {

  static final long MIB = 1024L * 1024;
  static final long GIB = 1024L * MIB;

  /** Bound on a transfer of the large file: generous, the machine is shared. */
  static final Duration LARGE_BOUND = Duration.ofMinutes(10);

  @TempDir Path local;

  /** A directory of this case's own on the server. */
  String remoteDir;

  @BeforeEach
  void makeRemoteDirectory(SshMaster master) {
    remoteDir = "/tmp/ft-" + UUID.randomUUID();
    assertThat(master.exec("mkdir " + remoteDir).exitCode()).isZero();
  }

  @AfterEach
  void everySessionSharedOneConnection(SshMaster master) {
    master.exec("rm -rf " + remoteDir);
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }

  // --- both ways, by digest
  // ------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(longs = {0, 10 * MIB})
  void aFileMakesTheRoundTripIntact(long size, SshMaster master) throws Exception {
    Path source = local.resolve("source.bin");
    String sent = writeRandom(source, size);
    String remote = remoteDir + "/file.bin";

    master.upload(source, remote);

    assertThat(remoteSha256(master, remote)).isEqualTo(sent);
    assertThat(master.exec("stat -c %s " + remote).stdout().strip()).isEqualTo(Long.toString(size));

    Path back = local.resolve("back.bin");
    master.download(remote, back);

    assertThat(Files.size(back)).isEqualTo(size);
    assertThat(sha256(back)).isEqualTo(sent);
  }

  @Test
  void aFileMadeOnTheServerIsDownloadedIntact(SshMaster master) throws Exception {
    String remote = remoteDir + "/made-there.bin";
    assertThat(master.exec("head -c " + 10 * MIB + " /dev/urandom > " + remote).exitCode())
        .isZero();
    Path target = local.resolve("made-there.bin");

    master.download(remote, target);

    assertThat(sha256(target)).isEqualTo(remoteSha256(master, remote));
  }

  /**
   * 1 GiB each way, generated on each side without holding it, with the heap's old generation
   * (where a buffer of the whole file would have to live) watched over both transfers.
   */
  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void aGibibyteMovesBothWaysStreamed(SshMaster master) throws Exception {
    String remote = remoteDir + "/big.bin";
    assertThat(master.exec("head -c " + GIB + " /dev/urandom > " + remote, LARGE_BOUND).exitCode())
        .isZero();
    String madeThere = remoteSha256(master, remote);
    Path source = local.resolve("big-up.bin");
    String madeHere = writeRandom(source, GIB);
    Path downloaded = local.resolve("big-down.bin");
    OldGeneration heap = OldGeneration.watch();

    master.download(remote, downloaded, LARGE_BOUND);
    master.upload(source, remote + ".up", LARGE_BOUND);

    long grewBy = heap.peakGrowth();
    System.out.printf(
        "%s: 1 GiB each way; old generation peak grew by %d MiB%n", master.engine(), grewBy / MIB);
    assertThat(sha256(downloaded)).isEqualTo(madeThere);
    assertThat(remoteSha256(master, remote + ".up")).isEqualTo(madeHere);
    assertThat(grewBy)
        .as("growth of the heap's old generation over 2 GiB moved")
        .isLessThan(512 * MIB);
  }

  // --- overwrite
  // ----------------------------------------------------------------------------------

  @Test
  void uploadOverwritesALongerFile(SshMaster master) throws Exception {
    String remote = remoteDir + "/target.txt";
    master.exec("head -c 100000 /dev/zero > " + remote);
    Path source = Files.writeString(local.resolve("short.txt"), "short");

    master.upload(source, remote);

    assertThat(master.exec("cat " + remote).stdout()).isEqualTo("short");
  }

  @Test
  void downloadOverwritesALongerFile(SshMaster master) throws Exception {
    String remote = remoteDir + "/short.txt";
    master.exec("printf short > " + remote);
    Path target = local.resolve("target.txt");
    Files.write(target, new byte[100_000]);

    master.download(remote, target);

    assertThat(Files.readString(target)).isEqualTo("short");
  }

  // --- failures
  // -----------------------------------------------------------------------------------

  @Test
  void aMissingLocalSourceFailsNamingIt(SshMaster master) {
    Path missing = local.resolve("no-such-file.bin");

    assertThatThrownBy(() -> master.upload(missing, remoteDir + "/x"))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("no such file");
    assertThat(master.exec("test -e " + remoteDir + "/x").exitCode()).isEqualTo(1);
  }

  @Test
  void aMissingRemoteSourceFailsWithTheServersReasonAndLeavesTheTargetAlone(SshMaster master)
      throws Exception {
    String missing = remoteDir + "/no-such-file.bin";
    Path target = Files.writeString(local.resolve("kept.txt"), "kept");

    assertThatThrownBy(() -> master.download(missing, target))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(missing)
        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("No such file", "not found"));
    assertThat(Files.readString(target)).isEqualTo("kept");
  }

  @Test
  void aMissingRemoteDirectoryFailsAndIsNotMade(SshMaster master) throws Exception {
    Path source = Files.writeString(local.resolve("a.txt"), "a");
    String target = remoteDir + "/no-such-dir/a.txt";

    assertThatThrownBy(() -> master.upload(source, target))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(target)
        .hasMessageContaining("No such file");
    assertThat(master.exec("test -e " + remoteDir + "/no-such-dir").exitCode()).isEqualTo(1);
  }

  @Test
  void aMissingLocalDirectoryFailsAndIsNotMade(SshMaster master) {
    master.exec("printf a > " + remoteDir + "/a.txt");
    Path target = local.resolve("no-such-dir").resolve("a.txt");

    assertThatThrownBy(() -> master.download(remoteDir + "/a.txt", target))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(target.getParent().toString())
        .hasMessageContaining("no such directory");
    assertThat(target.getParent()).doesNotExist();
  }

  @Test
  void aRefusedPermissionFailsWithTheServersReason(SshMaster master) throws Exception {
    // The login user is not root: /etc/shadow is unreadable, /etc unwritable to it.
    assertThat(master.exec("id -u").stdout().strip()).isNotEqualTo("0");
    Path source = Files.writeString(local.resolve("a.txt"), "a");

    assertThatThrownBy(() -> master.download("/etc/shadow", local.resolve("shadow")))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("/etc/shadow")
        .hasMessageContaining("ermission denied");
    assertThatThrownBy(() -> master.upload(source, "/etc/muxtest-forbidden"))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("/etc/muxtest-forbidden")
        .hasMessageContaining("ermission denied");
    assertThat(master.exec("test -e /etc/muxtest-forbidden").exitCode()).isEqualTo(1);
  }

  @Test
  void aTransferThatOutlivesItsTimeoutIsEndedAndGivesItsSessionBack(SshMaster master)
      throws Exception {
    Path source = local.resolve("source.bin");
    writeRandom(source, 64 * MIB);

    assertThatThrownBy(() -> master.upload(source, remoteDir + "/slow.bin", Duration.ofMillis(1)))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("did not finish within PT0.001S");
    // The master goes on, and so does the next transfer.
    master.upload(source, remoteDir + "/slow.bin");
    assertThat(remoteSha256(master, remoteDir + "/slow.bin")).isEqualTo(sha256(source));
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingIsSent(SshMaster master) {
    Path file = local.resolve("a.txt");
    assertThatThrownBy(() -> master.upload(null, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upload: local path must not be null");
    assertThatThrownBy(() -> master.upload(file, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upload: remotePath must not be null");
    assertThatThrownBy(() -> master.download(" ", file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("download: remotePath must not be blank");
    assertThatThrownBy(() -> master.download(remoteDir + "/a\nb", file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control character")
        .hasMessageContaining("a\\u000ab");
    assertThatThrownBy(() -> master.download("x", file, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(() -> master.download(remoteDir, local))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("is a directory");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"dir", "-dir with dash*"})
  void aDirectoryIsNoFileToWriteOrRead(String name, SshMaster master) throws Exception {
    String directory = remoteDir + "/" + name;
    assertThat(master.exec("mkdir " + quoted(directory)).exitCode()).isZero();
    Path source = Files.writeString(local.resolve("a.txt"), "a");

    assertThatThrownBy(() -> master.upload(source, directory))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(directory + ": is a directory");
    assertThat(master.exec("ls -A " + quoted(directory)).stdout())
        .as("nothing put inside")
        .isEmpty();
    assertThatThrownBy(() -> master.download(directory, local.resolve("d")))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(directory)
        .satisfies(
            e -> assertThat(e.getMessage()).containsAnyOf("is a directory", "not a regular file"));
    assertThat(local.resolve("d")).doesNotExist();
  }

  // --- modes, atomic downloads, what a download refuses (security review 2: R3-7, R3-8, R3-11)
  // ---------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rw-------", "rwx------", "rwxr-x---"})
  void theModeIsKeptBothWays(String mode, SshMaster master) throws Exception {
    Path source = Files.writeString(local.resolve("secret.txt"), "secret");
    Files.setPosixFilePermissions(source, PosixFilePermissions.fromString(mode));
    String remote = remoteDir + "/secret.txt";

    master.upload(source, remote);

    assertThat(master.exec("stat -c %A " + remote).stdout().strip())
        .as("mode on the server")
        .isEqualTo("-" + mode);
    String made = remoteDir + "/made.txt";
    assertThat(master.exec("printf made > " + made + " && chmod " + octal(mode) + " " + made))
        .matches(ExecResult::succeeded);
    Path back = local.resolve("made.txt");
    master.download(made, back);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(back)))
        .as("mode here")
        .isEqualTo(mode);
    assertThat(Files.readString(back)).isEqualTo("made");
  }

  @Test
  void aTimedOutDownloadKeepsThePreviousContentAndLeavesNoTemporaryFile(SshMaster master)
      throws Exception {
    String remote = remoteDir + "/large.bin";
    // Sparse: made at once, and slower to read over SFTP than the bound below.
    assertThat(master.exec("truncate -s 900M " + remote).exitCode()).isZero();
    Path target = Files.writeString(local.resolve("target.txt"), "previous good content");

    assertThatThrownBy(() -> master.download(remote, target, Duration.ofSeconds(2)))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("did not finish within PT2S");

    assertThat(Files.readString(target)).isEqualTo("previous good content");
    assertThat(listing(local)).containsExactly("target.txt");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/dev/zero", "directory", "fifo"})
  void aDownloadOfAFileThatIsNotRegularIsRefusedAtOnce(String kind, SshMaster master)
      throws Exception {
    String remote =
        switch (kind) {
          case "directory" -> remoteDir;
          case "fifo" -> remoteDir + "/fifo";
          default -> kind;
        };
    if (kind.equals("fifo")) {
      assertThat(master.exec("mkfifo " + remote).exitCode()).isZero();
    }
    Path target = Files.writeString(local.resolve("target.txt"), "previous good content");
    long start = System.nanoTime();

    assertThatThrownBy(() -> master.download(remote, target, Duration.ofSeconds(20)))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining(remote)
        .satisfies(
            e -> assertThat(e.getMessage()).containsAnyOf("not a regular file", "is a directory"));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(Files.readString(target)).isEqualTo("previous good content");
    assertThat(listing(local)).containsExactly("target.txt");
  }

  @Test
  void aSymbolicLinkAtTheTargetIsRefusedAndNotFollowed(SshMaster master) throws Exception {
    String remote = remoteDir + "/secret.txt";
    master.exec("printf TOPSECRET > " + remote);
    Path victim = Files.writeString(local.resolve("victim.txt"), "victim");
    Path link = Files.createSymbolicLink(local.resolve("link.txt"), victim);
    Path victimDirectory = Files.createDirectory(local.resolve("victim-dir"));
    Path directoryLink = Files.createSymbolicLink(local.resolve("dir-link"), victimDirectory);

    assertThatThrownBy(() -> master.download(remote, link))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(link.toString())
        .hasMessageContaining("symbolic link");
    assertThatThrownBy(() -> master.download(remote, directoryLink))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(directoryLink.toString())
        .hasMessageContaining("symbolic link");

    assertThat(Files.readString(victim)).isEqualTo("victim");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(listing(victimDirectory)).isEmpty();
    assertThat(listing(local))
        .containsExactlyInAnyOrder("victim.txt", "link.txt", "victim-dir", "dir-link");
  }

  // --- hostile names
  // ------------------------------------------------------------------------------

  /**
   * Names that a shell, an option parser, a glob or sftp's batch parser would each take for
   * something else: each arrives under exactly its own name, on the server and back.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "-leading-dash",
        "--",
        "glob*?[ab]",
        "with space and  two",
        "quote\"double",
        "quote'single",
        "back\\slash\\",
        "#hash",
        "semi;colon$(touch pwned)`touch pwned2`|&>x",
        "ümlaut-日本",
        " leading-space"
      })
  void aHostileNameIsTakenLiterally(String name, SshMaster master) throws Exception {
    // A decoy that a glob of the name would also match, so that globbing would show.
    master.exec("printf decoy > " + remoteDir + "/globXab");
    Path source = local.resolve("local " + name.replace("/", "_"));
    Files.writeString(source, "content of " + name);
    String remote = remoteDir + "/" + name;

    master.upload(source, remote);

    ExecResult listing = master.exec("cd " + remoteDir + " && ls -A1 --quoting-style=literal");
    assertThat(listing.stdout().lines().toList()).containsExactlyInAnyOrder(name, "globXab");
    assertThat(master.exec("cat " + quoted(remote)).stdout()).isEqualTo("content of " + name);

    Path back = local.resolve("back " + name.replace("/", "_"));
    master.download(remote, back);
    assertThat(Files.readString(back)).isEqualTo("content of " + name);
    // Nothing of the name ran anywhere: no file "pwned" on the server, nor here.
    assertThat(master.exec("ls -A1 " + remoteDir + " ~").stdout().lines())
        .doesNotContain("pwned", "pwned2");
    assertThat(local.resolve("pwned")).doesNotExist();
    assertThat(Path.of("pwned")).doesNotExist();
  }

  @Test
  void aRelativeRemotePathIsRelativeToTheLoginDirectory(SshMaster master) throws Exception {
    Path source = Files.writeString(local.resolve("a.txt"), "home");
    String name = "ft-" + UUID.randomUUID() + ".txt";
    try {
      master.upload(source, name);
      assertThat(master.exec("cat ~/" + name).stdout()).isEqualTo("home");
    } finally {
      master.exec("rm -f ~/" + name);
    }
  }

  @Test
  void aLeadingTildeIsAPlainCharacter(SshMaster master) throws Exception {
    Path source = Files.writeString(local.resolve("a.txt"), "tilde");
    String name = "~ft-" + UUID.randomUUID() + ".txt";
    try {
      master.upload(source, name);
      assertThat(master.exec("cat ~/" + quoted(name)).stdout()).isEqualTo("tilde");
      Path back = local.resolve("back.txt");
      master.download(name, back);
      assertThat(Files.readString(back)).isEqualTo("tilde");
    } finally {
      master.exec("rm -f ~/" + quoted(name));
    }
  }

  // --- binary output
  // ------------------------------------------------------------------------------

  @Test
  void everyByteValueOfStdoutAndStderrArrivesExactly(SshMaster master) {
    StringBuilder all = new StringBuilder();
    for (int b = 0; b < 256; b++) {
      all.append(String.format("\\%03o", b));
    }
    ExecResult result =
        master.exec("printf '" + all + "'; printf '" + all + "' >&2; printf '\\377\\000' >&2");

    byte[] expected = new byte[256];
    for (int b = 0; b < 256; b++) {
      expected[b] = (byte) b;
    }
    byte[] expectedErr = new byte[258];
    System.arraycopy(expected, 0, expectedErr, 0, 256);
    expectedErr[256] = (byte) 0xff;
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdoutBytes()).containsExactly(expected);
    assertThat(result.stderrBytes()).containsExactly(expectedErr);
  }

  @Test
  void invalidUtf8IsKeptInTheBytesAndReplacedInTheText(SshMaster master) {
    ExecResult result = master.exec("printf 'a\\377b\\300\\n'; printf '\\345\\244' >&2");

    assertThat(result.stdoutBytes()).containsExactly('a', 0xff, 'b', 0xc0, '\n');
    assertThat(result.stdout()).isEqualTo("a\uFFFDb\uFFFD\n");
    assertThat(result.stderrBytes()).containsExactly(0xe5, 0xa4);
    assertThat(result.stderr()).isEqualTo("\uFFFD");
  }

  // --- helpers
  // ------------------------------------------------------------------------------------

  /** The names in a directory, sorted. */
  static List<String> listing(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** {@code rwxr-x---} as {@code 750}. */
  static String octal(String mode) {
    int bits = 0;
    for (char c : mode.toCharArray()) {
      bits = bits << 1 | (c == '-' ? 0 : 1);
    }
    return Integer.toOctalString(bits);
  }

  /** A name as one argument of the server's shell. */
  static String quoted(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  static String remoteSha256(SshMaster master, String remote) {
    ExecResult result = master.exec("sha256sum < " + quoted(remote), LARGE_BOUND);
    assertThat(result.exitCode()).as("sha256sum: %s", result.stderr()).isZero();
    return result.stdout().split(" ")[0];
  }

  /** Writes {@code size} random bytes, streamed through one buffer; their SHA-256. */
  static String writeRandom(Path file, long size) throws IOException {
    MessageDigest digest = sha256();
    Random random = new Random();
    byte[] buffer = new byte[1024 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        int n = (int) Math.min(buffer.length, left);
        random.nextBytes(buffer);
        out.write(buffer, 0, n);
        digest.update(buffer, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The SHA-256 of a file, streamed. */
  static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1024 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The heap pools that keep long-lived and very large objects (G1's old generation, where an array
   * of the whole file would go): their peak over a stretch of work.
   */
  record OldGeneration(List<MemoryPoolMXBean> pools, long before) {

    static OldGeneration watch() {
      List<MemoryPoolMXBean> pools =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == MemoryType.HEAP)
              .filter(p -> p.getName().contains("Old") || p.getName().contains("Tenured"))
              .toList();
      pools.forEach(MemoryPoolMXBean::resetPeakUsage);
      return new OldGeneration(pools, pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum());
    }

    long peakGrowth() {
      return pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() - before;
    }
  }
}
