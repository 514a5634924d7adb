package dev.muxtest.bench.suite;

import dev.muxtest.ExecResult;
import dev.muxtest.SshMaster;
import dev.muxtest.bench.Cleanup;
import dev.muxtest.bench.MeasurementException;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.report.Better;
import dev.muxtest.bench.report.Figure;
import dev.muxtest.bench.report.Measure;
import dev.muxtest.bench.report.Results;
import dev.muxtest.bench.report.Samples;
import dev.muxtest.bench.setup.OpenSshCli;
import dev.muxtest.bench.setup.Testbed;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code SshMaster.upload} and {@code download} of one large file (the plan's stream size: 1 GiB in
 * the full run) over each engine's running master, against {@code scp} of the same file over a
 * fresh connection in the same run, in rounds (the three one right after the other, which goes
 * first rotating). Every copy's size is checked. {@code files.upload} and {@code files.download}
 * are the MINA engine (the default); the {@code .openssh} rows the OpenSSH engine.
 */
public final class FileThroughput implements Benchmark {

  /** No single copy may take longer. */
  static final Duration COPY_LIMIT = Duration.ofMinutes(10);

  private static final String DIRECTORY = "/tmp/bench-files";

  private final RunPlan plan;
  private final Testbed bed;
  private final Cleanup cleanup;

  /** Measures over {@code bed}'s masters and server. */
  public FileThroughput(RunPlan plan, Testbed bed, Cleanup cleanup) {
    this.plan = plan;
    this.bed = bed;
    this.cleanup = cleanup;
  }

  @Override
  public String name() {
    return "file upload and download";
  }

  @Override
  public List<String> figureIds() {
    return List.of(
        "files.upload", "files.download", "files.upload.openssh", "files.download.openssh");
  }

  /** A way of copying the file: one of the engines' masters, or scp on a fresh connection. */
  private interface CopyPath {
    void upload(Path local, String remote) throws Exception;

    void download(String remote, Path local) throws Exception;
  }

  @Override
  public void run(Results results) throws Exception {
    long size = plan.streamBytes();
    Path directory = Files.createTempDirectory("muxtest-bench-files");
    cleanup.register("benchmark file directory", () -> deleteTree(directory));
    OpenSshCli cli =
        cleanup.register("OpenSSH CLI for scp", OpenSshCli.create(bed.server(), COPY_LIMIT));
    SshMaster mina = bed.mina().master();
    SshMaster openSsh = bed.openSsh().master();
    check(mina.exec("rm -rf " + DIRECTORY + " && mkdir " + DIRECTORY), "mkdir");
    check(
        mina.exec(
            "head -c " + size + " /dev/urandom > " + DIRECTORY + "/source", Duration.ofMinutes(5)),
        "making the remote file");
    Path source = directory.resolve("source");
    writeRandom(source, size);

    List<CopyPath> paths =
        List.of(master(mina), master(openSsh), scp(cli)); // 0: MINA, 1: OpenSSH, 2: scp
    // One untimed copy each way through each path: the JIT, the page cache, the server's first
    // sftp-server.
    for (int p = 0; p < paths.size(); p++) {
      copy(paths.get(p), true, source, p, size);
      copy(paths.get(p), false, source, p, size);
    }
    int rounds = plan.streamRepetitions();
    double[][] up = new double[3][rounds];
    double[][] down = new double[3][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < 3; i++) {
        int p = (r + i) % 3; // which goes first rotates
        up[p][r] = copy(paths.get(p), true, source, p, size);
        down[p][r] = copy(paths.get(p), false, source, p, size);
      }
    }
    mina.exec("rm -rf " + DIRECTORY);
    String detail =
        String.format(
            Locale.ROOT,
            "%d MiB file, size checked after every copy; after one untimed copy each way per path,"
                + " %d rounds of MINA master, OpenSSH master and scp on a fresh connection one right"
                + " after the other (which first rotating); upload MB/s MINA %s, OpenSSH %s, scp %s;"
                + " download MB/s MINA %s, OpenSSH %s, scp %s",
            size >> 20,
            rounds,
            range(up[0]),
            range(up[1]),
            range(up[2]),
            range(down[0]),
            range(down[1]),
            range(down[2]));
    String baseline = "scp of the same file over a fresh connection";
    Measure scpUp = Measure.median(Samples.of(up[2]), "MB/s");
    Measure scpDown = Measure.median(Samples.of(down[2]), "MB/s");
    results.add(
        figure("files.upload", "Upload over the MINA master", up[0], baseline, scpUp, detail));
    results.add(
        figure(
            "files.download", "Download over the MINA master", down[0], baseline, scpDown, detail));
    results.add(
        figure(
            "files.upload.openssh",
            "Upload over the OpenSSH master",
            up[1],
            baseline,
            scpUp,
            detail));
    results.add(
        figure(
            "files.download.openssh",
            "Download over the OpenSSH master",
            down[1],
            baseline,
            scpDown,
            detail));
  }

  private static Figure figure(
      String id, String title, double[] mbs, String baseline, Measure scp, String detail) {
    return Figure.measured(
        id,
        title,
        Measure.median(Samples.of(mbs), "MB/s"),
        baseline,
        scp,
        Better.HIGHER,
        Optional.empty(),
        detail);
  }

  /** One timed copy, its size checked; MB/s. */
  private double copy(CopyPath path, boolean upload, Path source, int index, long size)
      throws Exception {
    String remoteTarget = DIRECTORY + "/up-" + index;
    Path localTarget = source.resolveSibling("down-" + index);
    long start = System.nanoTime();
    if (upload) {
      path.upload(source, remoteTarget);
    } else {
      path.download(DIRECTORY + "/source", localTarget);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long copied =
        upload
            ? Long.parseLong(
                check(bed.mina().master().exec("stat -c %s " + remoteTarget), "stat").strip())
            : Files.size(localTarget);
    if (copied != size) {
      throw new MeasurementException(
          (upload ? "upload" : "download") + " copied " + copied + " bytes of " + size);
    }
    return size / 1e6 / seconds;
  }

  private static CopyPath master(SshMaster master) {
    return new CopyPath() {
      @Override
      public void upload(Path local, String remote) {
        master.upload(local, remote, COPY_LIMIT);
      }

      @Override
      public void download(String remote, Path local) {
        master.download(remote, local, COPY_LIMIT);
      }
    };
  }

  private static CopyPath scp(OpenSshCli cli) {
    return new CopyPath() {
      @Override
      public void upload(Path local, String remote) throws Exception {
        cli.scpUpload(local, remote);
      }

      @Override
      public void download(String remote, Path local) throws Exception {
        cli.scpDownload(remote, local);
      }
    };
  }

  private static String check(ExecResult result, String what) throws MeasurementException {
    if (result.exitCode() != 0) {
      throw new MeasurementException(what + " failed on the server: " + result.stderr());
    }
    return result.stdout();
  }

  private static void writeRandom(Path file, long size) throws IOException {
    Random random = new Random(12);
    byte[] buffer = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= buffer.length) {
        random.nextBytes(buffer);
        out.write(buffer, 0, (int) Math.min(buffer.length, left));
      }
    }
  }

  private static String range(double[] values) {
    Samples samples = Samples.of(values);
    return String.format(Locale.ROOT, "%.0f..%.0f", samples.min(), samples.max());
  }

  private static void deleteTree(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList())) {
        Files.deleteIfExists(path);
      }
    }
  }
}
