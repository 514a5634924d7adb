package dev.muxtest.internal.engine;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.ConnectionReport;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The master's collaborators, each alone: no server, no engine. */
class EngineCollaboratorsTest {

  private static final Duration SHORT = Duration.ofMillis(200);

  private final MasterState state = new MasterState("a test server");
  private final AtomicInteger acceptChecks = new AtomicInteger();
  private final Runnable ensureAccepting =
      () -> {
        acceptChecks.incrementAndGet();
        state.ensureAccepting();
      };

  // ProcessRegistry

  /** Ends a program as a server would: at once. */
  private static final RemoteProgram.Exec ENDED = (command, timeout) -> new ExecResult(0, "", "");

  @Test
  void aProcessHoldsItsSessionUntilItIsClosed() {
    ProcessRegistry processes =
        new ProcessRegistry(
            new SessionBudget(1),
            SHORT,
            state,
            ensureAccepting,
            (c, shown, t, ended) -> new Stub(),
            ENDED,
            "a test server");

    RemoteProcess first = processes.start("start", "sleep 1", false);
    assertThat(processes.open()).containsExactly(first);
    assertThatThrownBy(() -> processes.start("start", "sleep 2", false))
        .isInstanceOf(SshOperationException.class)
        .hasMessageStartingWith("No free session within " + SHORT + " for sleep 2");

    first.close();
    assertThat(processes.open()).isEmpty();
    assertThat(processes.aProcessClosedWithin(Duration.ofMinutes(1))).isTrue();
    processes.start("start", "sleep 3", false).close();
  }

  @Test
  void aProcessThatEndsOnItsOwnGivesItsSessionBackBeforeItIsClosed() {
    AtomicReference<Runnable> ended = new AtomicReference<>();
    ProcessRegistry processes =
        new ProcessRegistry(
            new SessionBudget(1),
            SHORT,
            state,
            ensureAccepting,
            (c, shown, t, whenEnded) -> {
              ended.set(whenEnded);
              return new Stub();
            },
            ENDED,
            "a test server");

    RemoteProcess first = processes.start("start", "true", false);
    ended.get().run();
    RemoteProcess second = processes.start("start", "true", false);
    first.close(); // the session is given back once only
    assertThatThrownBy(() -> processes.start("start", "true", false))
        .isInstanceOf(SshOperationException.class);
    second.close();
  }

  @Test
  void aProcessThatFailsToStartGivesItsSessionBack() {
    AtomicInteger attempts = new AtomicInteger();
    ProcessRegistry processes =
        new ProcessRegistry(
            new SessionBudget(1),
            SHORT,
            state,
            ensureAccepting,
            (c, shown, t, ended) -> {
              if (attempts.incrementAndGet() == 1) {
                throw new SshOperationException("refused");
              }
              return new Stub();
            },
            ENDED,
            "a test server");

    assertThatThrownBy(() -> processes.start("start", "true", false)).hasMessage("refused");
    processes.start("start", "true", false).close();
  }

  @Test
  void aCommandIsCheckedBeforeTheMasterIsAsked() {
    ProcessRegistry processes =
        new ProcessRegistry(
            new SessionBudget(1),
            SHORT,
            state,
            ensureAccepting,
            (c, shown, t, ended) -> new Stub(),
            ENDED,
            "a test server");

    assertThatThrownBy(() -> processes.start("startWithTerminal", " ", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("startWithTerminal: command must not be blank");
    assertThatThrownBy(() -> processes.start("start", "a\0b", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("start: command must not contain a NUL character");
    assertThat(acceptChecks).hasValue(0);
  }

  @Test
  void aProcessStartedWhileTheMasterClosedIsClosedAndRefused() {
    List<Stub> made = new ArrayList<>();
    ProcessRegistry processes =
        new ProcessRegistry(
            new SessionBudget(1),
            SHORT,
            state,
            ensureAccepting,
            (c, shown, t, ended) -> {
              state.close(); // the master closes while the process starts
              Stub stub = new Stub();
              made.add(stub);
              return stub;
            },
            ENDED,
            "a test server");

    assertThatThrownBy(() -> processes.start("start", "true", false))
        .isInstanceOf(SshOperationException.class)
        .hasMessage("The SSH master to a test server is closed");
    assertThat(made).singleElement().satisfies(stub -> assertThat(stub.closed).isTrue());
    assertThat(processes.open()).isEmpty();
  }

  @Test
  void aProgramThatCannotBeEndedFailsCloseLoudlyAndStillGivesTheSessionBack() {
    List<String> sent = new ArrayList<>();
    Stub stub = new Stub();
    ProcessRegistry processes =
        new ProcessRegistry(
            new SessionBudget(1),
            SHORT,
            state,
            ensureAccepting,
            (c, shown, t, ended) -> {
              sent.add(c);
              return stub;
            },
            (command, timeout) -> new ExecResult(1, "still running\n", ""),
            "a test server");

    RemoteProcess sleeper = processes.start("start", "exec sleep 600", false);
    assertThat(sent).containsExactly("echo $$\nexec sleep 600");
    assertThat(new String(readAll(sleeper), US_ASCII)).as("what the reader sees").isEmpty();

    assertThatThrownBy(sleeper::close)
        .isExactlyInstanceOf(SshOperationException.class)
        .hasMessageContaining(
            "could not end its program on a test server (pid and process group 4242)")
        .hasMessageContaining("still running");
    assertThat(stub.closed).isTrue();
    assertThat(processes.open()).isEmpty();
    processes.start("start", "true", false).close(); // the session came back
  }

  private static byte[] readAll(RemoteProcess process) {
    try {
      return process.stdout().readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void closeAllClosesEveryProcessStillOpen() {
    List<Stub> made = new ArrayList<>();
    ProcessRegistry processes =
        new ProcessRegistry(
            new SessionBudget(3),
            SHORT,
            state,
            ensureAccepting,
            (c, shown, t, ended) -> {
              Stub stub = new Stub();
              made.add(stub);
              return stub;
            },
            ENDED,
            "a test server");
    processes.start("start", "one", false);
    processes.start("start", "two", false).close();
    processes.start("start", "three", false);

    processes.closeAll();

    assertThat(made).allSatisfy(stub -> assertThat(stub.closed).isTrue());
    assertThat(processes.open()).isEmpty();
  }

  // ForwardRegistry

  @Test
  void forwardsAreTrackedUntilTheyCloseAndClosedTogether() {
    List<StubForward> made = new ArrayList<>();
    AtomicReference<ForwardRegistry> registry = new AtomicReference<>();
    registry.set(
        new ForwardRegistry(
            new Endpoint(true),
            ensureAccepting,
            () -> new Opening(made, forward -> registry.get().forget(forward))));

    Forward local = registry.get().local(0, "db", 5432);
    Forward dynamic = registry.get().dynamic(0);
    assertThat(registry.get().open()).containsExactlyInAnyOrder(local, dynamic);
    local.close();
    assertThat(registry.get().open()).containsExactly(dynamic);

    registry.get().remote(0, "localhost", 8080);
    registry.get().closeAll();
    assertThat(registry.get().open()).isEmpty();
    assertThat(made).hasSize(3).allSatisfy(forward -> assertThat(forward.isOpen()).isFalse());
  }

  @Test
  void argumentsAreCheckedBeforeTheMasterOrTheEngineIsAsked() {
    List<StubForward> made = new ArrayList<>();
    ForwardRegistry registry =
        new ForwardRegistry(new Endpoint(true), ensureAccepting, () -> new Opening(made, f -> {}));

    assertThatThrownBy(() -> registry.local(0, "db", 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.remote(0, "example.com", 80))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.localSocket(0, "relative.sock"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(acceptChecks).hasValue(0);
    assertThat(made).isEmpty();
  }

  @Test
  void aServerThatDoesNotForwardUnixSocketsIsToldSoBeforeAnythingOpens() {
    List<StubForward> made = new ArrayList<>();
    ForwardRegistry registry =
        new ForwardRegistry(new Endpoint(false), ensureAccepting, () -> new Opening(made, f -> {}));

    assertThatThrownBy(() -> registry.localSocket(0, "/run/db.sock"))
        .isInstanceOf(SshOperationException.class)
        .hasMessageStartingWith("Cannot forward to the UNIX socket /run/db.sock through ")
        .hasMessageContaining("does not implement UNIX-socket forwarding");
    assertThat(acceptChecks).hasValue(0);
    assertThat(made).isEmpty();
    assertThat(registry.local(0, "db", 5432).isOpen()).isTrue();
  }

  @Test
  void reopeningHandsOverTheForwardsOfOneKindOnly() {
    List<StubForward> made = new ArrayList<>();
    ForwardRegistry registry =
        new ForwardRegistry(new Endpoint(true), ensureAccepting, () -> new Opening(made, f -> {}));
    registry.local(0, "db", 5432);
    Forward remote = registry.remote(0, "localhost", 8080);
    List<Forward> reopened = new ArrayList<>();

    registry.reopen(RemoteStub.class, reopened::add);

    assertThat(reopened).containsExactly(remote);
  }

  @Test
  void aStoppedMasterOpensNoForward() {
    List<StubForward> made = new ArrayList<>();
    ForwardRegistry registry =
        new ForwardRegistry(new Endpoint(true), ensureAccepting, () -> new Opening(made, f -> {}));
    state.stop();

    assertThatThrownBy(() -> registry.dynamic(0))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("is stopped");
    assertThat(made).isEmpty();
  }

  // FileTransfers

  @Test
  void aMissingLocalFileFailsBeforeTheMasterIsAsked(@TempDir Path directory) {
    List<FileTransfer> moved = new ArrayList<>();
    FileTransfers files =
        new FileTransfers(
            "a test server",
            new SessionBudget(1),
            ensureAccepting,
            (transfer, left) -> moved.add(transfer),
            1024);

    assertThatThrownBy(() -> files.upload(directory.resolve("missing"), "x", SHORT))
        .isInstanceOf(SshOperationException.class)
        .hasMessageContaining("missing");
    assertThat(acceptChecks).hasValue(0);
    assertThat(moved).isEmpty();

    files.download("x", directory.resolve("here"), SHORT);
    assertThat(moved).singleElement().satisfies(t -> assertThat(t.timeout()).isEqualTo(SHORT));
    assertThat(acceptChecks).hasValue(1);
  }

  // ConnectionCount

  @Test
  void aServerWithoutALogOfLoginsIsReadOnceNotWaitedFor() {
    PublicKey key = KeyMaterial.generate().getPublic();
    ConnectionCount connections = new ConnectionCount(new Endpoint(true, false), key);
    connections.add();

    long start = System.nanoTime();
    ConnectionReport report = connections.report();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(report.clientTcpConnections()).isEqualTo(1);
    assertThat(report.serverAuthenticatedConnections()).isZero();
    assertThat(report.keyFingerprint()).isEqualTo(KeyMaterial.fingerprint(key));
    assertThat(connections.opened()).isEqualTo(1);
  }

  /** A server as the collaborators see it: whether it forwards to UNIX sockets, logs logins. */
  private record Endpoint(boolean forwardsUnixSockets, boolean logsLogins)
      implements ServerEndpoint {
    Endpoint(boolean forwardsUnixSockets) {
      this(forwardsUnixSockets, true);
    }

    @Override
    public String host() {
      return "server.test";
    }

    @Override
    public int port() {
      return 22;
    }

    @Override
    public String user() {
      return "tester";
    }

    @Override
    public HostKeyPolicy hostKeyPolicy() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void beforeConnect(PublicKey clientKey) {}

    @Override
    public List<String> acceptedLogins(PublicKey clientKey) {
      return List.of();
    }
  }

  /** An engine's opening that makes stubs and tells {@code onClose} as each closes. */
  private record Opening(List<StubForward> made, Consumer<Forward> onClose)
      implements ForwardOpener {
    @Override
    public Forward local(int bindPort, String host, int port) {
      return made(new StubForward(ForwardType.LOCAL, onClose));
    }

    @Override
    public Forward remote(int remotePort, String host, int port) {
      return made(new RemoteStub(onClose));
    }

    @Override
    public Forward dynamic(int bindPort) {
      return made(new StubForward(ForwardType.DYNAMIC, onClose));
    }

    @Override
    public Forward localSocket(int bindPort, String path) {
      return made(new StubForward(ForwardType.LOCAL, onClose));
    }

    private Forward made(StubForward forward) {
      made.add(forward);
      return forward;
    }
  }

  private static class StubForward implements Forward {
    private final ForwardType type;
    private final Consumer<Forward> onClose;
    private volatile boolean open = true;

    StubForward(ForwardType type, Consumer<Forward> onClose) {
      this.type = type;
      this.onClose = onClose;
    }

    @Override
    public ForwardType type() {
      return type;
    }

    @Override
    public int localPort() {
      return 1;
    }

    @Override
    public InetSocketAddress localAddress() {
      return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public int remotePort() {
      return 2;
    }

    @Override
    public String destinationHost() {
      return "";
    }

    @Override
    public int destinationPort() {
      return 0;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
      onClose.accept(this);
    }
  }

  private static final class RemoteStub extends StubForward {
    RemoteStub(Consumer<Forward> onClose) {
      super(ForwardType.REMOTE, onClose);
    }
  }

  private static final class Stub implements RemoteProcess {
    private volatile boolean closed;

    @Override
    public OutputStream stdin() {
      return OutputStream.nullOutputStream();
    }

    /** The pid line a server sends first. */
    private final InputStream stdout = new ByteArrayInputStream("4242\n".getBytes(US_ASCII));

    @Override
    public InputStream stdout() {
      return stdout;
    }

    @Override
    public InputStream stderr() {
      return InputStream.nullInputStream();
    }

    @Override
    public int waitFor(Duration timeout) {
      return 0;
    }

    @Override
    public boolean isAlive() {
      return !closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
