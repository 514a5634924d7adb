package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Transfers on masters opened with {@link SshMasters}, outside the extension: the default bound is
 * the master's exec timeout, a closed master refuses them, and without a master (OpenSSH's
 * ControlMaster NO) each one is a connection of its own, and counted.
 */
class FileTransferMastersTest {

  static final SshdContainer server = new SshdContainer();

  @TempDir Path local;

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void withoutATimeoutATransferIsBoundByTheExecTimeout(Engine engine) throws Exception {
    Path source = local.resolve("big.bin");
    try (var out = Files.newOutputStream(source)) {
      byte[] block = new byte[1 << 20];
      for (int i = 0; i < 256; i++) {
        out.write(block);
      }
    }
    MasterOptions options =
        MasterOptions.defaults().withEngine(engine).withExecTimeout(Duration.ofMillis(50));
    try (CloseableSshMaster master = SshMasters.connect(server, options)) {
      assertThatThrownBy(() -> master.upload(source, "/tmp/bound-" + engine))
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("did not finish within PT0.05S");
      // The same master, with a bound that fits.
      master.upload(source, "/tmp/bound-" + engine, Duration.ofMinutes(2));
      assertThat(master.exec("stat -c %s /tmp/bound-" + engine, Duration.ofSeconds(30)).stdout())
          .isEqualTo(Long.toString(256L << 20) + "\n");
      assertThatThrownBy(() -> master.download("/tmp/bound-" + engine, local.resolve("back")))
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("did not finish within PT0.05S");
      master.exec("rm -f /tmp/bound-" + engine, Duration.ofSeconds(30));
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void anInterruptedTransferEndsAtOnceKeepingTheFlagAndTheMasterGoesOn(Engine engine)
      throws Exception {
    Path source = local.resolve("big.bin");
    try (var out = Files.newOutputStream(source)) {
      byte[] block = new byte[1 << 20];
      for (int i = 0; i < 512; i++) {
        out.write(block);
      }
    }
    MasterOptions options = MasterOptions.defaults().withEngine(engine);
    try (CloseableSshMaster master = SshMasters.connect(server, options)) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicBoolean flagKept = new AtomicBoolean();
      Thread transfer =
          new Thread(
              () -> {
                try {
                  master.upload(source, "/tmp/interrupted-" + engine, Duration.ofMinutes(5));
                } catch (Throwable e) {
                  failure.set(e);
                  flagKept.set(Thread.currentThread().isInterrupted());
                }
              });
      transfer.start();
      // Interrupted once the file has begun to arrive on the server.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!master
          .exec("test -s /tmp/interrupted-" + engine, Duration.ofSeconds(30))
          .succeeded()) {
        assertThat(System.nanoTime()).as("upload under way within 60 s").isLessThan(deadline);
      }
      transfer.interrupt();
      transfer.join(Duration.ofSeconds(30).toMillis());

      assertThat(transfer.isAlive()).as("the transfer ended within 30 s").isFalse();
      assertThat(failure.get())
          .isInstanceOf(SshOperationException.class)
          .hasMessageContaining("was interrupted, and was ended");
      assertThat(flagKept).isTrue();
      assertThat(master.exec("rm -f /tmp/interrupted-" + engine).succeeded()).isTrue();
      assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aClosedMasterRefusesTransfers(Engine engine) throws Exception {
    Path source = Files.writeString(local.resolve("a.txt"), "a");
    CloseableSshMaster master = SshMasters.connect(server, MasterOptions.engine(engine));
    master.close();

    assertThatThrownBy(() -> master.upload(source, "/tmp/closed"))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> master.download("/etc/hostname", local.resolve("h")))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void withoutAMasterEachTransferIsAConnectionOfItsOwn() throws Exception {
    Path source = Files.writeString(local.resolve("a.txt"), "no master");
    MasterOptions options =
        MasterOptions.defaults().withEngine(Engine.OPENSSH).withControlMaster(ControlMaster.NO);
    try (CloseableSshMaster master = SshMasters.connect(server, options)) {
      long before = master.connectionReport().clientTcpConnections();

      master.upload(source, "/tmp/no-master.txt");
      master.download("/tmp/no-master.txt", local.resolve("back.txt"));

      assertThat(Files.readString(local.resolve("back.txt"))).isEqualTo("no master");
      assertThat(master.connectionReport().clientTcpConnections() - before).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MINA", "OPENSSH"})
  void aDownloadOverTheSizeSettingFailsNamingItAndKeepsThePreviousContent(Engine engine) {
    oversize.set(null);

    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("muxtest.engine", engine.name())
            .configurationParameter("muxtest.transfer.maxSize", "1m")
            .selectors(selectClass(SizeCase.class))
            .execute();

    results.allEvents().failed().stream()
        .forEach(
            e ->
                e.getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .ifPresent(Throwable::printStackTrace));
    results.testEvents().assertStatistics(stats -> stats.succeeded(2));
    assertThat(oversize.get())
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("muxtest.transfer.maxSize")
        .hasMessageContaining("1048576 bytes");
  }

  static final AtomicReference<Throwable> oversize = new AtomicReference<>();

  /** A 1 MiB bound: a file one byte over it is refused, one at the bound arrives. */
  @SshMultiplexing
  static class SizeCase {
    @SshServer static EmbeddedSshServer server = new EmbeddedSshServer();

    @TempDir Path local;

    @Test
    void onlyAFileWithinTheBoundArrives(SshMaster master) throws Exception {
      Path remote = Files.write(local.resolve("remote.bin"), new byte[(1 << 20) + 1]);
      Path target = Files.writeString(local.resolve("target.txt"), "previous good content");

      assertThatThrownBy(() -> master.download(remote.toString(), target)).satisfies(oversize::set);

      assertThat(Files.readString(target)).isEqualTo("previous good content");
      try (Stream<Path> files = Files.list(local)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("remote.bin", "target.txt");
      }
      Files.write(remote, new byte[1 << 20]);
      master.download(remote.toString(), target);
      assertThat(Files.size(target)).isEqualTo(1 << 20);
    }

    /**
     * MINA's own SFTP server (protocol version 6 with the MINA engine) keeps modes as sshd does.
     */
    @Test
    void theModeIsKeptBothWaysOnTheEmbeddedServer(SshMaster master) throws Exception {
      Path source = Files.writeString(local.resolve("secret.txt"), "secret");
      Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-------"));
      Path remote = local.resolve("uploaded.txt");

      master.upload(source, remote.toString());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)))
          .isEqualTo("rw-------");
      Files.setPosixFilePermissions(remote, PosixFilePermissions.fromString("rwxr-x---"));
      master.download(remote.toString(), local.resolve("back.txt"));

      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(local.resolve("back.txt"))))
          .isEqualTo("rwxr-x---");
    }
  }
}
