package dev.muxtest.bench.setup;

import dev.muxtest.SshdContainer;
import dev.muxtest.bench.MeasurementException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The OpenSSH command-line client as a user runs it: {@code ssh host true} (a fresh connection) and
 * {@code ssh -S <control socket> host true} (a session of a running master). It has its own key,
 * pinned known_hosts and config in a private directory; the user's ~/.ssh plays no part.
 */
public final class OpenSshCli implements AutoCloseable {

  private static final String HOST = "muxtest-bench";

  private final Path directory;
  private final Path config;
  private final Path stderr;
  private final Duration timeout;

  private OpenSshCli(Path directory, Duration timeout) {
    this.directory = directory;
    this.config = directory.resolve("config");
    this.stderr = directory.resolve("stderr.txt");
    this.timeout = timeout;
  }

  /** Writes key, known_hosts and config for {@code server}, whose key it authorizes. */
  public static OpenSshCli create(SshdContainer server, Duration timeout) throws IOException {
    Path directory =
        Files.createTempDirectory(
            "muxtest-bench-cli",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    OpenSshCli cli = new OpenSshCli(directory, timeout);
    try {
      KeyPair identity = BenchKeys.generate();
      Path key = directory.resolve("id");
      Files.write(key, BenchKeys.openSshPrivateKey(identity, "muxtest bench key"));
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      Path knownHosts = directory.resolve("known_hosts");
      Files.writeString(knownHosts, HOST + " " + BenchKeys.publicKeyLine(server.hostKey()) + "\n");
      Files.writeString(
          cli.config,
          String.join(
              "\n",
              "Host " + HOST,
              "  HostName " + server.host(),
              "  Port " + server.port(),
              "  User " + server.user(),
              "  IdentityFile \"" + key + "\"",
              "  IdentitiesOnly yes",
              "  IdentityAgent none",
              "  PreferredAuthentications publickey",
              "  BatchMode yes",
              "  HostKeyAlias " + HOST,
              "  UserKnownHostsFile \"" + knownHosts + "\"",
              "  GlobalKnownHostsFile /dev/null",
              "  StrictHostKeyChecking yes",
              "  CheckHostIP no",
              "  UpdateHostKeys no",
              "  ConnectTimeout " + Math.max(1, timeout.toSeconds()),
              "  LogLevel ERROR",
              ""),
          StandardCharsets.UTF_8);
      server.authorizeKey(identity.getPublic());
      return cli;
    } catch (IOException | RuntimeException e) {
      cli.close();
      throw e;
    }
  }

  /** {@code ssh host <command>} on a new connection. */
  public void runFresh(String command) throws IOException, MeasurementException {
    run(List.of("-o", "ControlPath=none", "-T", HOST, command));
  }

  /** Key exchange and cipher that a fresh connection negotiates, from {@code ssh -v}. */
  public String negotiated() throws IOException, MeasurementException {
    run(List.of("-v", "-o", "ControlPath=none", "-o", "LogLevel=DEBUG1", "-T", HOST, "true"));
    return Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
        .filter(
            line ->
                line.contains("kex: algorithm:") || line.contains("kex: server->client cipher:"))
        .map(line -> line.replaceFirst("^debug1: ", ""))
        .collect(Collectors.joining("; "));
  }

  /**
   * {@code ssh -S <controlPath> host <command>}: a session of the master on that socket. Should the
   * master refuse, the failing ProxyCommand stops ssh from quietly connecting on its own.
   */
  public void runOverMaster(Path controlPath, String command)
      throws IOException, MeasurementException {
    run(
        List.of(
            "-S",
            controlPath.toString(),
            "-o",
            "ControlMaster=no",
            "-o",
            "ProxyCommand=false",
            "-T",
            HOST,
            command));
  }

  private void run(List<String> args) throws IOException, MeasurementException {
    run("ssh", args);
  }

  private void run(String program, List<String> args) throws IOException, MeasurementException {
    List<String> command = new ArrayList<>(List.of(program, "-F", config.toString()));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(stderr.toFile())
            .start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        throw new MeasurementException(
            program + " did not end within " + timeout + ": " + String.join(" ", command));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while running ssh", e);
    }
    if (process.exitValue() != 0) {
      throw new MeasurementException(
          String.format(
              "%s exited with %d: %s: %s",
              program,
              process.exitValue(),
              String.join(" ", command),
              Files.readString(stderr, StandardCharsets.UTF_8).strip()));
    }
  }

  /** {@code scp local host:remote} on a new connection (OpenSSH 9's scp speaks SFTP underneath). */
  public void scpUpload(Path local, String remote) throws IOException, MeasurementException {
    run(
        "scp",
        List.of("-q", "-o", "ControlPath=none", "--", local.toString(), HOST + ":" + remote));
  }

  /** {@code scp host:remote local} on a new connection. */
  public void scpDownload(String remote, Path local) throws IOException, MeasurementException {
    run(
        "scp",
        List.of("-q", "-o", "ControlPath=none", "--", HOST + ":" + remote, local.toString()));
  }

  /** Removes the private directory. */
  @Override
  public void close() throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
