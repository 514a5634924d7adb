package dev.muxtest.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.muxtest.Engine;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshTunnel;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.testcontainers.DockerClientFactory;

/**
 * On whatever JUnit line runs it, a class's resources are closed before the next class starts: its
 * SSH server container, its OpenSSH master process and control directory, and its MINA client's
 * threads.
 *
 * <p>Three fixture classes run through the JUnit Platform launcher in a fixed order (MINA engine,
 * OpenSSH engine, then a class without muxtest). When each class starts, everything of the class
 * before it must be gone already; the launcher runs classes one after the other on one thread, so
 * the next class waits until the check is done. Threads get up to {@link #THREAD_GRACE} to end
 * after their client stopped; containers and processes must be gone at once.
 *
 * <p>The fixtures are nested classes (Surefire skips {@code *$*} classes) that run only when this
 * test's launcher sets {@link #FIXTURE_KEY}.
 */
class ResourcesClosedBetweenClassesTest {

  /** Configuration parameter set only by this test's launcher: without it, fixtures do not run. */
  static final String FIXTURE_KEY = "dev.muxtest.samples.fixture";

  /** Label on each server container the extension starts for a class, naming the class. */
  static final String TEST_CLASS_LABEL = "dev.muxtest.testClass";

  /** MINA's SshClient names its threads {@code sshd-SshClient[<id>]-...}, one id per client. */
  static final Pattern MINA_CLIENT_THREAD = Pattern.compile("^(sshd-SshClient\\[[^\\]]+\\])");

  static final Duration THREAD_GRACE = Duration.ofSeconds(10);

  /** What each fixture saw of itself while it ran (to show the checks are not vacuous). */
  static final Map<Class<?>, Seen> seen = new ConcurrentHashMap<>();

  /** MINA client ids alive when each fixture started: ids not in here are that fixture's own. */
  static final Map<Class<?>, Set<String>> clientsBefore = new ConcurrentHashMap<>();

  static final Map<Class<?>, Instant> started = new ConcurrentHashMap<>();

  record Seen(
      List<String> containers,
      Set<String> minaClients,
      List<String> masters,
      Optional<Path> controlPath) {}

  @Test
  void eachClassIsClosedBeforeTheNextStarts() {
    Checkpoints checkpoints = new Checkpoints();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    Launcher launcher = LauncherFactory.create();

    launcher.execute(
        LauncherDiscoveryRequestBuilder.request()
            .selectors(
                selectClass(MinaFixture.class),
                selectClass(OpenSshFixture.class),
                selectClass(LastFixture.class))
            .configurationParameter(FIXTURE_KEY, "true")
            // A container per class (RunDefaultServerStopsWithTheRunTest covers the run's).
            .configurationParameter("muxtest.defaultServer.scope", "class")
            .configurationParameter(
                "junit.jupiter.testclass.order.default",
                ClassOrderer.OrderAnnotation.class.getName())
            .build(),
        checkpoints,
        summary);

    TestExecutionSummary result = summary.getSummary();
    result.getFailures().forEach(failure -> failure.getException().printStackTrace());
    assertThat(result.getTotalFailureCount()).as("failures of the fixture classes").isZero();
    assertThat(result.getTestsSucceededCount()).as("fixture tests passed").isEqualTo(3);
    assertThat(checkpoints.order)
        .as("classes in the order run")
        .containsExactly(MinaFixture.class, OpenSshFixture.class, LastFixture.class);

    // Not vacuous: while they ran, each fixture had what is checked for afterwards.
    Seen mina = seen.get(MinaFixture.class);
    assertThat(mina.containers()).as("MINA fixture's container while it ran").hasSize(1);
    assertThat(mina.minaClients())
        .as("MINA client threads while the MINA fixture ran")
        .isNotEmpty();
    Seen openSsh = seen.get(OpenSshFixture.class);
    assertThat(openSsh.containers()).as("OpenSSH fixture's container while it ran").hasSize(1);
    assertThat(openSsh.masters()).as("ssh -M master while the OpenSSH fixture ran").hasSize(1);

    assertThat(checkpoints.leftovers)
        .as("classes checked when the next class started")
        .containsOnlyKeys(MinaFixture.class, OpenSshFixture.class);
    List<String> left =
        checkpoints.leftovers.entrySet().stream()
            .flatMap(
                e -> e.getValue().stream().map(what -> e.getKey().getSimpleName() + ": " + what))
            .collect(Collectors.toList());
    assertThat(left)
        .as(
            "resources of a class still there when the next class started (JUnit Jupiter %s)",
            Test.class.getPackage().getImplementationVersion())
        .isEmpty();
  }

  /** Checks, when a class starts, what the class before it left. */
  static final class Checkpoints implements TestExecutionListener {
    final List<Class<?>> order = new ArrayList<>();
    final Map<Class<?>, List<String>> leftovers = new LinkedHashMap<>();
    private final List<Class<?>> finished = new ArrayList<>();

    @Override
    public void executionStarted(TestIdentifier identifier) {
      classOf(identifier)
          .ifPresent(
              testClass -> {
                finished.forEach(previous -> leftovers.put(previous, leftoversOf(previous)));
                finished.clear();
                order.add(testClass);
                clientsBefore.put(testClass, minaClients());
                started.put(testClass, Instant.now());
              });
    }

    @Override
    public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
      classOf(identifier).filter(c -> c != LastFixture.class).ifPresent(finished::add);
    }

    private static Optional<Class<?>> classOf(TestIdentifier identifier) {
      return identifier
          .getSource()
          .filter(ClassSource.class::isInstance)
          .map(source -> ((ClassSource) source).getJavaClass());
    }
  }

  /**
   * Everything of {@code fixture} that is still there; MINA threads get {@link #THREAD_GRACE} to
   * end.
   */
  static List<String> leftoversOf(Class<?> fixture) {
    List<String> left = new ArrayList<>();
    containersOf(fixture).forEach(c -> left.add("container " + c));
    Optional<Path> controlPath = Optional.ofNullable(seen.get(fixture)).flatMap(Seen::controlPath);
    mastersOf(fixture, controlPath).forEach(p -> left.add("ssh master process " + p));
    controlPath
        .map(Path::getParent)
        .filter(Files::exists)
        .ifPresent(d -> left.add("control directory " + d));
    Set<String> before = clientsBefore.get(fixture);
    long deadline = System.nanoTime() + THREAD_GRACE.toNanos();
    List<String> threads;
    do {
      threads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(Thread::isAlive)
              .map(Thread::getName)
              .filter(name -> clientOf(name).filter(id -> !before.contains(id)).isPresent())
              .sorted()
              .collect(Collectors.toList());
      if (threads.isEmpty()) {
        break;
      }
      sleep(100);
    } while (System.nanoTime() < deadline);
    threads.forEach(
        t -> left.add("MINA client thread " + t + " (still alive after " + THREAD_GRACE + ")"));
    return left;
  }

  /** Containers the extension started for {@code fixture}, stopped or not. */
  static List<String> containersOf(Class<?> fixture) {
    return DockerClientFactory.instance()
        .client()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(TEST_CLASS_LABEL, fixture.getName()))
        .exec()
        .stream()
        .map(c -> c.getId().substring(0, 12) + " (" + c.getStatus() + ")")
        .collect(Collectors.toList());
  }

  /**
   * OpenSSH masters ({@code ssh ... -M ...}) of {@code fixture}: those naming its control
   * directory, and any started by this JVM since the fixture started (the master backgrounds
   * itself, so it is usually no longer a descendant of this JVM).
   */
  static List<String> mastersOf(Class<?> fixture, Optional<Path> controlPath) {
    Optional<String> directory = controlPath.map(p -> p.getParent().toString());
    Instant since = started.get(fixture);
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(
            p -> p.info().command().map(c -> c.endsWith("/ssh") || c.equals("ssh")).orElse(false))
        .filter(p -> p.info().commandLine().map(c -> c.contains(" -M")).orElse(false))
        .filter(
            p ->
                directory.map(d -> p.info().commandLine().orElse("").contains(d)).orElse(false)
                    || (descendantOf(p, self)
                        && p.info().startInstant().map(s -> !s.isBefore(since)).orElse(true)))
        .map(p -> p.pid() + ": " + p.info().commandLine().orElse("?"))
        .collect(Collectors.toList());
  }

  private static boolean descendantOf(ProcessHandle process, long ancestor) {
    for (Optional<ProcessHandle> p = process.parent(); p.isPresent(); p = p.get().parent()) {
      if (p.get().pid() == ancestor) {
        return true;
      }
    }
    return false;
  }

  /** Ids of the MINA clients whose threads are alive. */
  static Set<String> minaClients() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(t -> clientOf(t.getName()))
        .flatMap(Optional::stream)
        .collect(Collectors.toSet());
  }

  private static Optional<String> clientOf(String threadName) {
    Matcher m = MINA_CLIENT_THREAD.matcher(threadName);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What a fixture records of itself while its test runs. */
  static void record(Class<?> fixture, SshMaster master) {
    Set<String> clients = minaClients();
    clients.removeAll(clientsBefore.get(fixture));
    seen.put(
        fixture,
        new Seen(
            containersOf(fixture),
            clients,
            mastersOf(fixture, master.controlPath()),
            master.controlPath()));
  }

  static String banner(int port) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(8), StandardCharsets.US_ASCII);
    }
  }

  /**
   * Lets the fixtures run only in this test's launcher, never when a tool picks them up directly.
   */
  static final class OnlyThroughLauncher implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(FIXTURE_KEY).isPresent()
          ? ConditionEvaluationResult.enabled("run by ResourcesClosedBetweenClassesTest")
          : ConditionEvaluationResult.disabled("a fixture of ResourcesClosedBetweenClassesTest");
    }
  }

  @Order(1)
  @ExtendWith(OnlyThroughLauncher.class)
  @SshMultiplexing(engine = Engine.MINA)
  @SshTunnel(name = "ssh", port = 22)
  static class MinaFixture {
    @Test
    void usesTheMaster(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      assertThat(master.exec("true").exitCode()).isZero();
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
      record(MinaFixture.class, master);
    }
  }

  @Order(2)
  @ExtendWith(OnlyThroughLauncher.class)
  @SshMultiplexing(engine = Engine.OPENSSH)
  @SshTunnel(name = "ssh", port = 22)
  static class OpenSshFixture {
    @Test
    void usesTheMaster(SshMaster master, @ForwardedPort("ssh") int port) throws Exception {
      assertThat(master.exec("true").exitCode()).isZero();
      assertThat(banner(port)).isEqualTo("SSH-2.0-");
      record(OpenSshFixture.class, master);
    }
  }

  /** The class after the last muxtest class: its start is the last checkpoint. */
  @Order(3)
  @ExtendWith(OnlyThroughLauncher.class)
  static class LastFixture {
    @Test
    void runs() {}
  }
}
