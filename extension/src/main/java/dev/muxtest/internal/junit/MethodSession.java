package dev.muxtest.internal.junit;

import dev.muxtest.Forward;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.ForwardingSshMaster;
import dev.muxtest.internal.engine.TunnelSpec;
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
 * The class's master as one test method sees it: every call goes straight to the master, but every
 * forward opened through it, or declared on the method, and every process started through it, is
 * closed after the method if the test did not close it. Lives in the method's extension store,
 * which closes it.
 */
@SuppressWarnings(
    "deprecation") // CloseableResource: JUnit before 5.13 closes only those (6.x still does)
public final class MethodSession extends ForwardingSshMaster
    implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final EngineMaster master;
  private final String method;
  private final List<Forward> forwards = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Forward> tunnels = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<RemoteProcess> processes = Collections.synchronizedList(new ArrayList<>());

  /** A scope over {@code master} for the test method named {@code method} (for messages). */
  public MethodSession(EngineMaster master, String method) {
    super(master);
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
      Forward forward;
      try {
        forward = master.open(spec, readyTimeout);
      } catch (SshOperationException e) {
        throw new SshOperationException(
            String.format(
                "muxtest: tunnel \"%s\" of %s (%s) is not usable: %s",
                spec.name(), method, spec.describe(), e.getMessage()),
            e);
      }
      forwards.add(forward);
      tunnels.put(spec.name(), forward);
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

  @Override
  public Forward forwardLocal(String host, int port) {
    return tracked(super.forwardLocal(host, port));
  }

  @Override
  public Forward forwardRemote(int remotePort, String host, int port) {
    return tracked(super.forwardRemote(remotePort, host, port));
  }

  @Override
  public Forward forwardDynamic() {
    return tracked(super.forwardDynamic());
  }

  @Override
  public Forward forwardLocalSocket(String remoteSocketPath) {
    return tracked(super.forwardLocalSocket(remoteSocketPath));
  }

  @Override
  public RemoteProcess start(String command) {
    RemoteProcess process = super.start(command);
    processes.add(process);
    return process;
  }

  @Override
  public RemoteProcess startWithTerminal(String command) {
    RemoteProcess process = super.startWithTerminal(command);
    processes.add(process);
    return process;
  }

  private Forward tracked(Forward forward) {
    forwards.add(forward);
    return forward;
  }

  /**
   * Closes the method's processes, then its forwards, that are still open, newest first (closing is
   * idempotent).
   */
  @Override
  public void close() {
    newestFirst(processes).forEach(RemoteProcess::close);
    newestFirst(forwards).forEach(Forward::close);
  }

  /** Takes every element out of {@code open}, newest first. */
  private static <T> List<T> newestFirst(List<T> open) {
    List<T> taken;
    synchronized (open) {
      taken = new ArrayList<>(open);
      open.clear();
    }
    Collections.reverse(taken);
    return taken;
  }

  @Override
  public String toString() {
    return "SSH master " + master + " as seen from " + method;
  }
}
