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

  /**
   * A forward as OpenSSH is asked for it.
   *
   * @param type LOCAL ({@code -L}), REMOTE ({@code -R}) or DYNAMIC ({@code -D})
   * @param bindPort the listening port: on the test machine for LOCAL and DYNAMIC (never 0, OpenSSH
   *     refuses it), on the server for REMOTE (0: allocated by the server)
   * @param host destination host; empty for DYNAMIC and a socket
   * @param port destination port; 0 for DYNAMIC and a socket
   * @param socket for a LOCAL forward to a UNIX-domain socket on the server, its path; else empty
   * @param percentExpanded whether this ssh expands {@code %} tokens in a socket path
   */
  record Request(
      ForwardType type,
      int bindPort,
      String host,
      int port,
      String socket,
      boolean percentExpanded) {

    /** A forward to a TCP destination (or a SOCKS proxy). */
    Request(ForwardType type, int bindPort, String host, int port) {
      this(type, bindPort, host, port, "", true);
    }

    /**
     * A LOCAL forward from {@code bindPort} to the UNIX-domain socket {@code socket}, for an ssh
     * that expands {@code %} tokens in its path or not.
     */
    static Request toSocket(int bindPort, String socket, boolean percentExpanded) {
      return new Request(ForwardType.LOCAL, bindPort, "", 0, socket, percentExpanded);
    }

    /** OpenSSH's option for the type. */
    String flag() {
      return switch (type) {
        case LOCAL -> "-L";
        case REMOTE -> "-R";
        case DYNAMIC -> "-D";
      };
    }

    /** OpenSSH's spec of the forward; a cancel must name it as requested (port 0 too). */
    String spec() {
      if (!socket.isEmpty()) {
        return "127.0.0.1:" + bindPort + ":" + specPath();
      }
      return switch (type) {
        case LOCAL -> "127.0.0.1:" + bindPort + ":" + specHost() + ":" + port;
        case REMOTE -> bindPort + ":" + specHost() + ":" + port;
        case DYNAMIC -> "127.0.0.1:" + bindPort;
      };
    }

    /**
     * The host as a spec field: an IPv6 literal in brackets, or OpenSSH splits it at its colons.
     */
    private String specHost() {
      return host.contains(":") ? "[" + host + "]" : host;
    }

    /**
     * The socket path as a spec field, to be read back as exactly that path: ssh splits the spec at
     * colons, taking a backslash as an escape of the next character, then (since 8.3) expands
     * {@code %} tokens in the path ({@code %%} is a {@code %}).
     */
    private String specPath() {
      String path = percentExpanded ? socket.replace("%", "%%") : socket;
      return path.replace("\\", "\\\\").replace(":", "\\:");
    }

    /** The same forward on another listening port. */
    Request onPort(int newBindPort) {
      return new Request(type, newBindPort, host, port, socket, percentExpanded);
    }

    @Override
    public String toString() {
      return flag() + " " + spec();
    }
  }

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
  private volatile Request request;

  private OpenSshForward(
      MuxClient client,
      Request request,
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
      Request request,
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
      Request request,
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
    Request current = request;
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
    Request again = type == ForwardType.REMOTE ? request.onPort(listeningPort) : request;
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
    Request current = request;
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
        Request current = request;
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
