package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.assertj.MuxAssertions;
import dev.muxtest.internal.engine.AbstractEngineMaster;
import dev.muxtest.internal.engine.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Long-running processes over the class's one master, run per engine by {@link MinaProcessTest} and
 * {@link OpenSshProcessTest} (each with its own server, whose MaxSessions is {@link
 * #MAX_SESSIONS}). The methods run in order so that later ones can check what earlier ones left
 * behind; every method ends with the proof of one TCP connection, and so does the class (the
 * extension's end-of-class proof).
 */
@TestMethodOrder(OrderAnnotation.class)
@TestInstance(Lifecycle.PER_CLASS)
abstract class RemoteProcessConformance {

  static final int MAX_SESSIONS = 5;

  /** Bound on any one wait of the suite: generous, the machine is shared. */
  static final Duration BOUND = Duration.ofSeconds(60);

  private static final Duration POLL_PAUSE = Duration.ofMillis(200);
  private static final long BIG = 200L * 1024 * 1024;

  /** The servers of the subclasses: MaxSessions small enough to be gone past in a loop. */
  static SshdContainer server() {
    return new SshdContainer().withSshdOption("MaxSessions", String.valueOf(MAX_SESSIONS));
  }

  // Instance fields of one instance per class: static ones here would be shared by both engines'
  // classes, which run concurrently.
  private SshMaster classMaster;
  private RemoteProcess classProcess;
  private final List<RemoteProcess> leftOpen = new CopyOnWriteArrayList<>();
  private final List<String> leftOpenPids = new CopyOnWriteArrayList<>();

  @BeforeAll
  void startAProcessForTheClass(SshMaster master) {
    classMaster = master;
    classProcess = master.start("cat"); // lives until the class's master closes
  }

  /** One process per method, started in {@code @BeforeEach}: each is closed after its method. */
  private final List<RemoteProcess> perMethod = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startAProcessForTheMethod(SshMaster master) {
    perMethod.add(master.start("cat"));
  }

  @AfterEach
  void oneConnection(SshMaster master) {
    MuxAssertions.assertThat(master).usedSingleTcpConnection();
  }

  @Test
  @Order(1)
  void linesFedThroughStdinComeBackOnStdout(SshMaster master) throws Exception {
    try (RemoteProcess cat = master.start("cat")) {
      for (String line : List.of("one", "two", "three")) {
        write(cat.stdin(), line + "\n");
        assertThat(readLine(cat.stdout())).isEqualTo(line);
      }
      assertThat(cat.isAlive()).isTrue();
      cat.stdin().close(); // end of file: cat ends
      assertThat(readAll(cat.stdout())).isEmpty();
      assertThat(cat.waitFor(BOUND)).isZero();
      assertThat(cat.isAlive()).isFalse();
    }
  }

  @Test
  @Order(2)
  void stderrAndExitStatusAreThePrograms(SshMaster master) throws Exception {
    try (RemoteProcess process = master.start("echo out; echo err >&2; exit 3")) {
      assertThat(new String(readAll(process.stdout()), StandardCharsets.UTF_8)).isEqualTo("out\n");
      assertThat(new String(readAll(process.stderr()), StandardCharsets.UTF_8)).isEqualTo("err\n");
      assertThat(process.waitFor(BOUND)).isEqualTo(3);
    }
  }

  @Test
  @Order(3)
  void tailFollowsAFileAppendedByExec(SshMaster master) throws Exception {
    String file = "/tmp/followed-" + UUID.randomUUID();
    assertThat(master.exec("echo first > " + file).exitCode()).isZero();
    try (RemoteProcess tail = master.start("tail -n +1 -f " + file)) {
      assertThat(readLine(tail.stdout())).isEqualTo("first");
      for (String line : List.of("second", "third")) {
        assertThat(master.exec("echo " + line + " >> " + file).exitCode()).isZero();
        assertThat(readLine(tail.stdout())).isEqualTo(line);
      }
      assertThat(tail.isAlive()).isTrue();
    }
  }

  @Test
  @Order(4)
  void moreStartCloseCyclesThanMaxSessionsAllWork(SshMaster master) throws Exception {
    for (int i = 0; i < 3 * MAX_SESSIONS; i++) {
      RemoteProcess cat = master.start("cat");
      write(cat.stdin(), i + "\n");
      assertThat(readLine(cat.stdout())).as("cycle %d", i).isEqualTo(String.valueOf(i));
      cat.close();
      cat.close(); // idempotent: gives the session back once
      assertThat(cat.isAlive()).isFalse();
    }
    // Every session came back: as many processes as the budget allows run at once again.
    assertThat(master.exec("echo still").stdout()).isEqualTo("still\n");
  }

  @Test
  @Order(5)
  void aTerminalProcessIsEndedByClose(SshMaster master) throws Exception {
    RemoteProcess sleeper = master.startWithTerminal("echo pid=$$; tty; exec sleep 3600");
    String pid = readLine(sleeper.stdout()).strip().replace("pid=", "");
    assertThat(readLine(sleeper.stdout()).strip()).startsWith("/dev/pts/");
    // bash prints, then execs sleep: a look between the two would see bash still.
    assertThat(
            Poll.until(
                BOUND,
                Duration.ofMillis(20),
                () -> master.exec("ps -o comm= -p " + pid).stdout().strip().equals("sleep")))
        .as("pid %s runs sleep", pid)
        .isTrue();
    assertThat(sleeper.isAlive()).isTrue();

    sleeper.close();

    assertThat(sleeper.isAlive()).isFalse();
    assertThat(gone(master, pid))
        .as("sleep (pid %s) gone from the server after close", pid)
        .isTrue();
  }

  @Test
  @Order(6)
  void unreadOutputMakesTheRemoteWriterWait(SshMaster master) throws Exception {
    try (RemoteProcess zeros = master.start("echo $$; exec head -c " + BIG + " /dev/zero")) {
      String pid = readLine(zeros.stdout()).strip();
      // Nobody reads: the writer's progress, as the server's kernel counts it, stops.
      long[] last = {-1};
      int[] same = {0};
      boolean stalled =
          Poll.until(
              BOUND,
              POLL_PAUSE,
              () -> {
                long written = written(master, pid);
                same[0] = written == last[0] ? same[0] + 1 : 0;
                last[0] = written;
                return same[0] >= 3;
              });
      assertThat(stalled).as("head's writes stopped while nobody read").isTrue();
      assertThat(last[0])
          .as("bytes head wrote with nobody reading (of %d)", BIG)
          .isGreaterThan(0)
          .isLessThan(16L * 1024 * 1024);

      assertThat(count(zeros.stdout())).isEqualTo(BIG); // reading all of it works
      assertThat(zeros.waitFor(BOUND)).isZero();
    }
  }

  @Test
  @Order(7)
  void aProcessLeftOpenByAMethod(SshMaster master) throws Exception {
    RemoteProcess plain = master.start("echo $$; exec cat");
    RemoteProcess terminal = master.startWithTerminal("echo $$; exec sleep 3600");
    leftOpenPids.add(readLine(plain.stdout()).strip());
    leftOpenPids.add(readLine(terminal.stdout()).strip());
    leftOpen.addAll(List.of(plain, terminal));
    assertThat(plain.isAlive()).isTrue();
    assertThat(terminal.isAlive()).isTrue();
  }

  @Test
  @Order(8)
  void isClosedAfterItWhileTheClassProcessLives() throws Exception {
    assertThat(perMethod).hasSize(8);
    assertThat(perMethod.subList(0, 7))
        .as("processes of the earlier methods' @BeforeEach")
        .allSatisfy(p -> assertThat(p.isAlive()).as("%s", p).isFalse());
    assertThat(perMethod.get(7).isAlive()).as("this method's").isTrue();
    assertThat(leftOpen).hasSize(2);
    assertThat(leftOpen).allSatisfy(p -> assertThat(p.isAlive()).as("%s", p).isFalse());
    for (String pid : leftOpenPids) {
      assertThat(gone(classMaster, pid)).as("pid %s gone from the server", pid).isTrue();
    }
    assertThat(((AbstractEngineMaster) classMaster).openProcesses())
        .as("processes the master still holds")
        .containsExactlyInAnyOrder(classProcess, perMethod.get(7));

    // The process of @BeforeAll lives for the class.
    assertThat(classProcess.isAlive()).isTrue();
    write(classProcess.stdin(), "still here\n");
    assertThat(readLine(classProcess.stdout())).isEqualTo("still here");
  }

  @Test
  @Order(9)
  void closedProcessesThatNeitherReadNorWriteFreeTheirSessionsAndLeaveNothing(SshMaster master) {
    for (int i = 0; i < 2 * MAX_SESSIONS; i++) {
      RemoteProcess sleeper = master.start("exec sleep 600");
      assertThat(sleeper.isAlive()).as("cycle %d", i).isTrue();
      sleeper.close();
      assertThat(sleeper.isAlive()).as("cycle %d", i).isFalse();
    }
    assertThat(master.exec("echo still").stdout()).isEqualTo("still\n");
    // "slee[p]": the pattern does not match pgrep's own shell's command line.
    ExecResult left = master.exec("pgrep -f 'slee[p] 600'");
    assertThat(left.stdout()).as("sleeps left running on the server").isEmpty();
    assertThat(left.exitCode()).isEqualTo(1);
  }

  @Test
  @Order(10)
  void aProcessLeftOpenWhenItsMasterClosesIsEndedAndClosesQuietlyAfter(SshMaster master) {
    RemoteProcess sleeper;
    try (CloseableSshMaster other =
        SshMasters.connect(container(), MasterOptions.defaults().withEngine(engine()))) {
      sleeper = other.start("exec sleep 601");
      assertThat(sleeper.isAlive()).isTrue();
    }
    assertThat(sleeper.isAlive()).isFalse();
    sleeper.close(); // after its master: nothing left to do, and no error
    ExecResult left = master.exec("pgrep -f 'slee[p] 601'");
    assertThat(left.stdout()).as("sleeps left running on the server").isEmpty();
    assertThat(left.exitCode()).isEqualTo(1);
  }

  /** The subclass's server. */
  abstract SshdContainer container();

  /** The subclass's engine. */
  abstract Engine engine();

  /** Whether {@code pid} is gone from the server, waiting for it within the bound. */
  static boolean gone(SshMaster master, String pid) {
    assertThat(pid).matches("[0-9]+");
    return Poll.until(BOUND, POLL_PAUSE, () -> master.exec("ps -p " + pid).exitCode() != 0);
  }

  /** The bytes {@code pid} has written so far, from the server's /proc. */
  private static long written(SshMaster master, String pid) {
    assertThat(pid).matches("[0-9]+");
    ExecResult io = master.exec("sed -n 's/^wchar: //p' /proc/" + pid + "/io");
    assertThat(io.exitCode()).as("reading /proc/%s/io: %s", pid, io.stderr()).isZero();
    return Long.parseLong(io.stdout().strip());
  }

  /** One line (without its end, {@code \n} or {@code \r\n}), within the bound. */
  static String readLine(InputStream in) throws Exception {
    return bounded(
        () -> {
          ByteArrayOutputStream line = new ByteArrayOutputStream();
          for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
              throw new IOException("end of stream after '" + line + "'");
            }
            if (b != '\r') {
              line.write(b);
            }
          }
          return line.toString(StandardCharsets.UTF_8);
        });
  }

  static byte[] readAll(InputStream in) throws Exception {
    return bounded(in::readAllBytes);
  }

  static long count(InputStream in) throws Exception {
    return bounded(
        () -> {
          byte[] buffer = new byte[64 * 1024];
          long total = 0;
          for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
          }
          return total;
        });
  }

  interface Read<T> {
    T read() throws IOException;
  }

  /** A blocking read on a thread of its own, given up after the bound. */
  static <T> T bounded(Read<T> read) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                result.complete(read.read());
              } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
              }
            },
            "process-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      return result.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    } finally {
      reader.interrupt();
    }
  }

  static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
