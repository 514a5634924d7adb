package dev.muxtest.internal;

import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A forward of the OpenSSH engine: added to the master with {@code -O forward} and removed with
 * {@code -O cancel}, or, without a master (ControlMaster NO), an {@code ssh -N} process of its own.
 */
final class OpenSshForward implements Forward {

  private static final System.Logger LOG = System.getLogger(OpenSshForward.class.getName());
  private static final Pattern ALLOCATED = Pattern.compile("Allocated port (\\d+)");
  private static final Pattern REMOTE_READY = Pattern.compile("remote forward success for: listen (\\d+)");
  private static final Pattern LOCAL_READY = Pattern.compile("Local forwarding listening on");
  private static final long POLL_MILLIS = 50;

  private final OpenSshMaster master;
  private final ForwardType type;
  private final String flag;
  private volatile String cancelSpec;
  private final int localPort;
  private final int remotePort;
  private final String host;
  private final int port;
  private final Process ownProcess;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OpenSshForward(OpenSshMaster master, String flag, String cancelSpec, int localPort, int remotePort,
      String host, int port, Process ownProcess) {
    this.master = master;
    this.type = switch (flag) {
      case "-L" -> ForwardType.LOCAL;
      case "-D" -> ForwardType.DYNAMIC;
      default -> ForwardType.REMOTE;
    };
    this.flag = flag;
    this.cancelSpec = cancelSpec;
    this.localPort = localPort;
    this.remotePort = remotePort;
    this.host = host;
    this.port = port;
    this.ownProcess = ownProcess;
  }

  /** Adds the forward to the running master. */
  static OpenSshForward overMaster(OpenSshMaster master, String flag, String spec, int localPort, String host,
      int port, int requestedRemotePort) {
    SshCommand.Result result = master.muxCommand("forward", flag, spec);
    if (result.exitCode() != 0) {
      throw new SshOperationException(String.format("ssh -O forward %s %s failed on %s: %s",
          flag, spec, master.describeServer(), result.stderr().strip()));
    }
    if (flag.equals("-L") || flag.equals("-D")) {
      return new OpenSshForward(master, flag, spec, localPort, port, host, port, null);
    }
    // With port 0 the master prints the port the server allocated.
    int remote = requestedRemotePort != 0 ? requestedRemotePort : Integer.parseInt(result.stdout().strip());
    String cancelSpec = spec; // OpenSSH matches a cancel against the forward as requested (port 0 too), not the allocated port
    return new OpenSshForward(master, flag, cancelSpec, port, remote, host, port, null);
  }

  /** Starts an {@code ssh -N} process holding just this forward, on a connection of its own. */
  static OpenSshForward ownConnection(OpenSshMaster master, String flag, String spec, int localPort, String host,
      int port) {
    Path log = master.directory().resolve("forward-" + System.nanoTime() + ".log");
    Process process;
    try {
      process = SshCommand.start(
          master.ssh("-N", "-o", "ControlPath=none", "-o", "LogLevel=DEBUG1", "-E", log.toString(), flag, spec,
              OpenSshMaster.HOST_ALIAS),
          Map.of(), Path.of("/dev/null").toFile(), Path.of("/dev/null").toFile());
    } catch (IOException e) {
      throw new SshOperationException("Cannot start ssh for forward " + flag + " " + spec + ": " + e.getMessage(), e);
    }
    master.opened();
    boolean local = !flag.equals("-R"); // -L and -D listen on the test machine
    Pattern ready = local ? LOCAL_READY : REMOTE_READY;
    long deadline = System.nanoTime() + master.connectTimeout().toNanos();
    try {
      while (true) {
        String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        Matcher allocated = ALLOCATED.matcher(text);
        Matcher readyLine = ready.matcher(text);
        if (allocated.find() || readyLine.find()) {
          int remote = local ? port
              : allocated.reset().find() ? Integer.parseInt(allocated.group(1)) : Integer.parseInt(readyLine.group(1));
          return new OpenSshForward(master, flag, spec, local ? localPort : port, remote, host, port, process);
        }
        if (!process.isAlive() || System.nanoTime() >= deadline) {
          process.destroyForcibly();
          throw new SshOperationException(String.format("ssh %s %s on its own connection to %s did not come up: %s",
              flag, spec, master.describeServer(), text.strip()));
        }
        Thread.sleep(POLL_MILLIS); // polling the forward's log, bounded by the connect timeout
      }
    } catch (IOException e) {
      process.destroyForcibly();
      throw new SshOperationException("Cannot read the log of forward " + spec + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new SshOperationException("Interrupted while opening forward " + spec, e);
    }
  }

  /** Adds the forward to a new master after a reconnect, on the same ports. */
  void reopen() {
    if (ownProcess != null || closed.get()) {
      return;
    }
    String spec = type == ForwardType.REMOTE ? remotePort + ":" + host + ":" + port : cancelSpec;
    SshCommand.Result result = master.muxCommand("forward", flag, spec);
    if (result.exitCode() != 0) {
      LOG.log(Level.WARNING, "Cannot reopen forward {0} {1} after a reconnect: {2}", flag, spec, result.stderr().strip());
      return;
    }
    cancelSpec = spec;
  }

  @Override
  public ForwardType type() {
    return type;
  }

  @Override
  public int localPort() {
    return localPort;
  }

  @Override
  public InetSocketAddress localAddress() {
    return new InetSocketAddress("127.0.0.1", localPort);
  }

  @Override
  public int remotePort() {
    return remotePort;
  }

  @Override
  public String destinationHost() {
    return host;
  }

  @Override
  public int destinationPort() {
    return port;
  }

  @Override
  public boolean isOpen() {
    return !closed.get() && (ownProcess == null ? !master.isClosed() : ownProcess.isAlive());
  }

  /** Cancels the forward ({@code -O cancel}) or ends its own ssh process; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (ownProcess != null) {
        ownProcess.destroy();
        if (!ownProcess.waitFor(5, TimeUnit.SECONDS)) {
          ownProcess.destroyForcibly();
        }
      } else if (!master.isClosing()) {
        SshCommand.Result result = master.muxCommand("cancel", flag, cancelSpec);
        if (result.exitCode() != 0) {
          LOG.log(Level.WARNING, "ssh -O cancel {0} {1} failed: {2}", flag, cancelSpec, result.stderr().strip());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      master.forgotten(this);
    }
  }

  @Override
  public String toString() {
    return flag + " " + cancelSpec;
  }
}
