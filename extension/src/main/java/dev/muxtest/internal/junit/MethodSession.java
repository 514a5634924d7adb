package dev.muxtest.internal.junit;

import dev.muxtest.ConnectionReport;
import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshMaster;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.TunnelSpec;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The class's master as one test method sees it: commands go straight to the master, and every
 * forward opened through it, or declared on the method, and every process started through it, is
 * closed after the method if the test did not close it. Lives in the method's extension store,
 * which closes it.
 */
@SuppressWarnings(
    "deprecation") // CloseableResource: JUnit before 5.13 closes only those (6.x still does)
public final class MethodSession
    implements SshMaster, AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final EngineMaster master;
  private final String method;
  private final List<Forward> forwards = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Forward> tunnels = Collections.synchronizedMap(new LinkedHashMap<>());

  /** A scope over {@code master} for the test method named {@code method} (for messages). */
  public MethodSession(EngineMaster master, String method) {
    this.master = master;
    this.method = method;
  }

  /** The class's master behind this view. */
  public EngineMaster engineMaster() {
    return master;
  }

  /**
   * Opens and checks the tunnels declared on the method.
   *
   * @throws SshOperationException naming the tunnel and the method when one is not usable
   */
  public void openTunnels(List<TunnelSpec> specs, Duration readyTimeout) {
    for (TunnelSpec spec : specs) {
      try {
        master.open(
            spec,
            readyTimeout,
            forward -> {
              forwards.add(forward);
              tunnels.put(spec.name(), forward);
            });
      } catch (SshOperationException e) {
        throw new SshOperationException(
            String.format(
                "muxtest: tunnel \"%s\" of %s (%s) is not usable: %s",
                spec.name(), method, spec.describe(), e.getMessage()),
            e);
      }
    }
  }

  /** The method's own tunnel with that name. */
  public Optional<Forward> tunnel(String name) {
    return Optional.ofNullable(tunnels.get(name));
  }

  /** Names of the method's own tunnels. */
  public Set<String> tunnelNames() {
    synchronized (tunnels) {
      return Set.copyOf(tunnels.keySet());
    }
  }

  private Forward tracked(Forward forward) {
    forwards.add(forward);
    return forward;
  }

  @Override
  public Engine engine() {
    return master.engine();
  }

  @Override
  public ExecResult exec(String command) {
    return master.exec(command);
  }

  @Override
  public ExecResult exec(String command, Duration timeout) {
    return master.exec(command, timeout);
  }

  @Override
  public ExecResult exec(String command, Map<String, String> environment) {
    return master.exec(command, environment);
  }

  @Override
  public Forward forwardLocal(String host, int port) {
    return tracked(master.forwardLocal(host, port));
  }

  @Override
  public Forward forwardRemote(int remotePort, String host, int port) {
    return tracked(master.forwardRemote(remotePort, host, port));
  }

  @Override
  public Forward forwardDynamic() {
    return tracked(master.forwardDynamic());
  }

  @Override
  public void addAgentKey(KeyPair key) {
    master.addAgentKey(key);
  }

  @Override
  public boolean check() {
    return master.check();
  }

  @Override
  public void stop() {
    master.stop();
  }

  @Override
  public Optional<Path> controlPath() {
    return master.controlPath();
  }

  @Override
  public long tcpConnectionsOpened() {
    return master.tcpConnectionsOpened();
  }

  @Override
  public ConnectionReport connectionReport() {
    return master.connectionReport();
  }

  /**
   * Closes the method's processes, then its forwards, that are still open, newest first (closing is
   * idempotent).
   */
  @Override
  public void close() {
    closeProcesses();
    List<Forward> open;
    synchronized (forwards) {
      open = new ArrayList<>(forwards);
      forwards.clear();
    }
    Collections.reverse(open);
    open.forEach(Forward::close);
  }

  @Override
  public String toString() {
    return "SSH master " + master + " as seen from " + method;
  }

  // Long-running processes started through the method's view: closed after the method, before its
  // forwards, if the test did not close them.

  private final List<RemoteProcess> processes = Collections.synchronizedList(new ArrayList<>());

  @Override
  public RemoteProcess start(String command) {
    RemoteProcess process = master.start(command);
    processes.add(process);
    return process;
  }

  @Override
  public RemoteProcess startWithTerminal(String command) {
    RemoteProcess process = master.startWithTerminal(command);
    processes.add(process);
    return process;
  }

  private void closeProcesses() {
    List<RemoteProcess> open;
    synchronized (processes) {
      open = new ArrayList<>(processes);
      processes.clear();
    }
    Collections.reverse(open);
    open.forEach(RemoteProcess::close);
  }

  /** A forward to a UNIX socket on the server, closed after the method like the others. */
  @Override
  public Forward forwardLocalSocket(String remoteSocketPath) {
    return tracked(master.forwardLocalSocket(remoteSocketPath));
  }

  // --- Files (issue 12): upload and download over the master ---

  @Override
  public void upload(Path local, String remotePath) {
    master.upload(local, remotePath);
  }

  @Override
  public void upload(Path local, String remotePath, Duration timeout) {
    master.upload(local, remotePath, timeout);
  }

  @Override
  public void download(String remotePath, Path local) {
    master.download(remotePath, local);
  }

  @Override
  public void download(String remotePath, Path local, Duration timeout) {
    master.download(remotePath, local, timeout);
  }
}
