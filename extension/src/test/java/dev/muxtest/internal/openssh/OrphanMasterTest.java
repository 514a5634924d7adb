package dev.muxtest.internal.openssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.HostKeyPolicy;
import dev.muxtest.internal.engine.KeyMaterial;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Poll;
import dev.muxtest.internal.engine.Processes;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM killed with SIGKILL while its OpenSSH master runs: the master (ControlPersist) lives on,
 * and its directory keeps the private key. The next master started under the same base ends it and
 * removes the directory.
 */
class OrphanMasterTest {

  static final SshdContainer server = new SshdContainer();

  /** How long the child JVM lives if nobody kills it. */
  private static final Duration CHILD_LIFETIME = Duration.ofSeconds(60);

  @TempDir Path base;
  @TempDir Path exchange;

  @BeforeAll
  static void startTheServer() {
    server.start();
  }

  @AfterAll
  static void stopTheServer() {
    server.stop();
  }

  @Test
  void theNextMasterEndsTheMasterOfAKilledJvmAndRemovesItsDirectory() throws Exception {
    Process child = startChild();
    AtomicReference<ProcessHandle> orphan = new AtomicReference<>();
    try {
      authorizeTheChildsKey();
      Path controlPath = Path.of(awaitLine("CONTROL ", child));
      Path directory = controlPath.getParent();
      assertThat(directory.getParent()).isEqualTo(base);
      orphan.set(OpenSshHardeningTest.masterProcess(controlPath).orElseThrow());
      assertThat(directory.resolve("id")).as("the child's private key").exists();

      // SIGKILL: no shutdown hook, no close.
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(Processes.running(orphan.get()))
          .as("the master outlives its JVM (ControlPersist)")
          .isTrue();
      assertThat(ControlDirectory.answers(controlPath)).isTrue();

      try (EngineMaster next =
          Masters.connect(
              new ContainerEndpoint(server),
              MasterOptions.defaults().withEngine(Engine.OPENSSH),
              settings())) {
        assertThat(
                Poll.until(
                    Duration.ofSeconds(10),
                    Duration.ofMillis(50),
                    () -> !Processes.running(orphan.get())))
            .as("orphaned master %d ended", orphan.get().pid())
            .isTrue();
        assertThat(directory).as("the killed JVM's directory, with its key").doesNotExist();
        assertThat(next.controlPath().orElseThrow().getParent()).exists();
        assertThat(next.exec("echo ok").stdout()).isEqualTo("ok\n");
      }
    } finally {
      child.destroyForcibly();
      ProcessHandle left = orphan.get();
      if (left != null && Processes.running(left)) {
        left.destroyForcibly(); // the test failed; leave nothing running anyway
      }
    }
  }

  private Settings settings() {
    return Settings.from(
        key ->
            Optional.ofNullable(
                Map.of(
                        Settings.CONTROL_DIRECTORY.name(),
                        base.toString(),
                        Settings.CONNECT_TIMEOUT.name(),
                        "20s")
                    .get(key)));
  }

  /** A JVM on this test's class path running {@link Child}. */
  private Process startChild() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Files.writeString(exchange.resolve("hostkey"), KeyMaterial.publicKeyLine(server.hostKey()));
    return new ProcessBuilder(
            java,
            "-cp",
            classPath,
            Child.class.getName(),
            base.toString(),
            server.host(),
            Integer.toString(server.port()),
            exchange.toString())
        .redirectOutput(exchange.resolve("stdout").toFile())
        .redirectError(exchange.resolve("stderr").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  /** The child's master made its key: authorize it on the server, as the extension would. */
  private void authorizeTheChildsKey() throws Exception {
    Path publicKey = exchange.resolve("pubkey");
    assertThat(
            Poll.until(
                Duration.ofSeconds(60), Duration.ofMillis(50), () -> Files.exists(publicKey)))
        .as("the child wrote its public key; its stderr: %s", childStderr())
        .isTrue();
    server.authorizeKey(parse(Files.readString(publicKey).strip()));
    Files.writeString(exchange.resolve("authorized"), "yes");
  }

  private String awaitLine(String prefix, Process child) throws Exception {
    Path stdout = exchange.resolve("stdout");
    AtomicReference<String> line = new AtomicReference<>();
    boolean found =
        Poll.until(
            Duration.ofSeconds(60),
            Duration.ofMillis(50),
            () -> {
              try {
                Files.readAllLines(stdout, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith(prefix))
                    .findFirst()
                    .ifPresent(l -> line.set(l.substring(prefix.length())));
              } catch (java.io.IOException e) {
                // not written yet
              }
              return line.get() != null || !child.isAlive();
            });
    assertThat(line.get())
        .as("the child's %s line (found: %s); its stderr: %s", prefix, found, childStderr())
        .isNotNull();
    return line.get();
  }

  private String childStderr() {
    try {
      return Files.readString(exchange.resolve("stderr"));
    } catch (java.io.IOException e) {
      return "(none)";
    }
  }

  static PublicKey parse(String line) throws Exception {
    return PublicKeyEntry.parsePublicKeyEntry(line)
        .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
  }

  /**
   * The other JVM: opens an OpenSSH master to the test's server under the given base, prints its
   * control path, and lives {@link #CHILD_LIFETIME} unless killed. Arguments: base, host, port,
   * exchange directory (host key in, public key out, "authorized" in).
   */
  static final class Child {

    public static void main(String[] args) throws Exception {
      Path base = Path.of(args[0]);
      Path exchange = Path.of(args[3]);
      ServerEndpoint endpoint =
          new Handshaking(
              args[1],
              Integer.parseInt(args[2]),
              parse(Files.readString(exchange.resolve("hostkey")).strip()),
              exchange);
      Settings settings =
          Settings.from(
              key ->
                  Optional.ofNullable(
                      Map.of(
                              Settings.CONTROL_DIRECTORY.name(),
                              base.toString(),
                              Settings.CONNECT_TIMEOUT.name(),
                              "20s")
                          .get(key)));
      EngineMaster master =
          Masters.connect(endpoint, MasterOptions.defaults().withEngine(Engine.OPENSSH), settings);
      System.out.println("CONTROL " + master.controlPath().orElseThrow());
      System.out.flush();
      // Lives a bounded time if the test never kills it, then ends as a test JVM would.
      Thread.sleep(CHILD_LIFETIME.toMillis());
      master.close();
      System.exit(0);
    }
  }

  /** The test's server as the child sees it: the parent authorizes the child's key. */
  private record Handshaking(String host, int port, PublicKey hostKey, Path exchange)
      implements ServerEndpoint {

    @Override
    public String user() {
      return SshdContainer.USER;
    }

    @Override
    public HostKeyPolicy hostKeyPolicy() {
      return new HostKeyPolicy.Pinned(hostKey);
    }

    @Override
    public void beforeConnect(PublicKey clientKey) {
      try {
        Path partial = exchange.resolve("pubkey.new");
        Files.writeString(partial, KeyMaterial.publicKeyLine(clientKey));
        Files.move(partial, exchange.resolve("pubkey"), StandardCopyOption.ATOMIC_MOVE);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      if (!Poll.until(
          Duration.ofSeconds(30),
          Duration.ofMillis(50),
          () -> Files.exists(exchange.resolve("authorized")))) {
        throw new IllegalStateException("The parent test never authorized the key");
      }
    }

    @Override
    public List<String> acceptedLogins(PublicKey clientKey) {
      return List.of();
    }
  }
}
