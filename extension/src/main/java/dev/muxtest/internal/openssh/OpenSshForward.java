package dev.muxtest.internal.openssh;

import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A forward of the OpenSSH engine: added to the master with {@code -O forward} and removed with
 * {@code -O cancel}, or, without a master (ControlMaster NO), an {@code ssh -N} process of its own.
 */
final class OpenSshForward implements Forward {

  private static final System.Logger LOG = System.getLogger(OpenSshForward.class.getName());
  private static final Pattern ALLOCATED = Pattern.compile("Allocated port (\\d+)");
  private static final Pattern REMOTE_READY =
      Pattern.compile("remote forward success for: listen (\\d+)");
  private static final Pattern LOCAL_READY = Pattern.compile("Local forwarding listening on");
  private static final Duration POLL = Duration.ofMillis(50);

  private final MuxClient client;
  private final ForwardType type;
  private final int listeningPort;
  private final Process ownProcess;
  private final BooleanSupplier masterOpen;
  private final BooleanSupplier masterClosingOrStopped;
  private final Consumer<Forward> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** As last requested: a cancel must match it. */
  private volatile ForwardRequest request;

  private OpenSshForward(
      MuxClient client,
      ForwardRequest request,
      int listeningPort,
      Process ownProcess,
      BooleanSupplier masterOpen,
      BooleanSupplier masterClosingOrStopped,
      Consumer<Forward> onClose) {
    this.client = client;
    this.type = request.type();
    this.request = request;
    this.listeningPort = listeningPort;
    this.ownProcess = ownProcess;
    this.masterOpen = masterOpen;
    this.masterClosingOrStopped = masterClosingOrStopped;
    this.onClose = onClose;
  }

  /**
   * Adds the forward to the running master.
   *
   * @param masterOpen whether the master is still open
   * @param masterClosingOrStopped whether the master's socket no longer takes {@code -O cancel}
   */
  static OpenSshForward overMaster(
      MuxClient client,
      ForwardRequest request,
      String server,
      BooleanSupplier masterOpen,
      BooleanSupplier masterClosingOrStopped,
      Consumer<Forward> onClose) {
    SshCommand.Result result = client.control("forward", request.flag(), request.spec());
    if (result.exitCode() != 0) {
      throw new SshOperationException(
          String.format(
              "ssh -O forward %s failed on %s: %s", request, server, result.stderr().strip()));
    }
    // With port 0 the master prints the port the server allocated.
    int listening =
        request.type() == ForwardType.REMOTE && request.bindPort() == 0
            ? Integer.parseInt(result.stdout().strip())
            : request.bindPort();
    return new OpenSshForward(
        client, request, listening, null, masterOpen, masterClosingOrStopped, onClose);
  }

  /**
   * Starts an {@code ssh -N} process holding just this forward, on a connection of its own, and
   * waits (within {@code connectTimeout}) until its log says the forward is listening.
   */
  static OpenSshForward ownConnection(
      MuxClient client,
      ForwardRequest request,
      Path directory,
      Duration connectTimeout,
      String server,
      Runnable onConnection,
      Consumer<Forward> onClose) {
    Path log = directory.resolve("forward-" + System.nanoTime() + ".log");
    Process process;
    try {
      process =
          SshCommand.start(
              client.ssh(
                  List.of(
                      "-N",
                      "-o",
                      "ControlPath=none",
                      "-o",
                      "LogLevel=DEBUG1",
                      "-E",
                      log.toString(),
                      request.flag(),
                      request.spec(),
                      "--",
                      OpenSshConfig.HOST_ALIAS)),
              Map.of(),
              Path.of("/dev/null").toFile(),
              Path.of("/dev/null").toFile());
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot start ssh for forward " + request + ": " + e.getMessage(), e);
    }
    onConnection.run();
    boolean remote = request.type() == ForwardType.REMOTE;
    Pattern ready = remote ? REMOTE_READY : LOCAL_READY;
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    try {
      while (true) {
        String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        Matcher allocated = ALLOCATED.matcher(text);
        Matcher readyLine = ready.matcher(text);
        if (allocated.find() || readyLine.find()) {
          int listening =
              !remote
                  ? request.bindPort()
                  : allocated.reset().find()
                      ? Integer.parseInt(allocated.group(1))
                      : Integer.parseInt(readyLine.group(1));
          return new OpenSshForward(
              client, request, listening, process, process::isAlive, () -> false, onClose);
        }
        if (!process.isAlive() || System.nanoTime() >= deadline) {
          SshCommand.killQuietly(process);
          throw new SshOperationException(
              String.format(
                  "ssh %s on its own connection to %s did not come up: %s",
                  request, server, text.strip()));
        }
        Thread.sleep(POLL.toMillis()); // polling the forward's log, bounded by the connect timeout
      }
    } catch (IOException e) {
      SshCommand.killQuietly(process);
      throw new SshOperationException(
          "Cannot read the log of forward " + request + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      SshCommand.killQuietly(process);
      Thread.currentThread().interrupt();
      throw new SshOperationException("Interrupted while opening forward " + request, e);
    }
  }

  /** Whether this forward was requested as a remote forward on port 0 to {@code host:port}. */
  boolean isRemoteOnAnyPortTo(String host, int port) {
    ForwardRequest current = request;
    return type == ForwardType.REMOTE
        && current.bindPort() == 0
        && current.host().equals(host)
        && current.port() == port
        && !closed.get();
  }

  /** Adds the forward to a new master after a reconnect, on the same ports. */
  void reopen() {
    if (ownProcess != null || closed.get()) {
      return;
    }
    ForwardRequest again = type == ForwardType.REMOTE ? request.onPort(listeningPort) : request;
    SshCommand.Result result = client.control("forward", again.flag(), again.spec());
    if (result.exitCode() != 0) {
      LOG.log(
          Level.WARNING,
          "Cannot reopen forward {0} after a reconnect: {1}",
          again,
          result.stderr().strip());
      return;
    }
    request = again;
  }

  @Override
  public ForwardType type() {
    return type;
  }

  @Override
  public int localPort() {
    return type == ForwardType.REMOTE ? request.port() : listeningPort;
  }

  @Override
  public InetSocketAddress localAddress() {
    return new InetSocketAddress("127.0.0.1", localPort());
  }

  @Override
  public int remotePort() {
    return type == ForwardType.REMOTE ? listeningPort : request.port();
  }

  @Override
  public String destinationHost() {
    return request.host();
  }

  @Override
  public int destinationPort() {
    return request.port();
  }

  @Override
  public Optional<String> remoteSocketPath() {
    ForwardRequest current = request;
    return current.socket().isEmpty() ? Optional.empty() : Optional.of(current.socket());
  }

  @Override
  public boolean isOpen() {
    return !closed.get() && masterOpen.getAsBoolean();
  }

  /** Cancels the forward ({@code -O cancel}) or ends its own ssh process; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Closing runs on an interrupted thread as on any other; the flag is set again afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      if (ownProcess != null) {
        ownProcess.destroy();
        if (!ownProcess.waitFor(5, TimeUnit.SECONDS)) {
          ownProcess.destroyForcibly();
        }
      } else if (!masterClosingOrStopped.getAsBoolean()) {
        ForwardRequest current = request;
        SshCommand.Result result = client.control("cancel", current.flag(), current.spec());
        if (result.exitCode() != 0) {
          LOG.log(Level.WARNING, "ssh -O cancel {0} failed: {1}", current, result.stderr().strip());
        }
      }
    } catch (InterruptedException e) {
      ownProcess.destroyForcibly();
      interrupted = true;
    } finally {
      onClose.accept(this);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return request + (type == ForwardType.REMOTE ? " (server port " + listeningPort + ")" : "");
  }
}
