package dev.muxtest.internal.engine;

import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Waits until a forward works, the same way for both engines: LOCAL, its destination accepts a
 * connection from the server's side (the engine's probe; for a UNIX socket, a command on the
 * server) and its local listener accepts; REMOTE, its listener on the server accepts a connection
 * made on the server; DYNAMIC, its local listener accepts.
 */
final class ForwardReadiness {

  private static final Duration PAUSE = Duration.ofMillis(100);

  private final AbstractEngineMaster master;
  private final String server;

  ForwardReadiness(AbstractEngineMaster master, String server) {
    this.master = master;
    this.server = server;
  }

  /**
   * Opens the forward {@code spec} declares, hands it to {@code register} at once (so that it is
   * closed even if the check fails), then waits until it works.
   */
  Forward open(TunnelSpec spec, Duration readyTimeout, Consumer<Forward> register) {
    Forward forward =
        switch (spec.type()) {
          case LOCAL ->
              spec.isSocket()
                  ? master.forwardLocalSocket(spec.bindPort(), spec.socket())
                  : master.forwardLocal(spec.bindPort(), spec.host(), spec.port());
          case REMOTE -> master.forwardRemote(spec.bindPort(), spec.host(), spec.port());
          case DYNAMIC -> master.forwardDynamic(spec.bindPort());
        };
    register.accept(forward);
    await(forward, readyTimeout);
    return forward;
  }

  /**
   * Waits for {@code forward}, within {@code timeout} for a destination or server-side listener.
   *
   * @throws SshOperationException naming what did not answer, and why, when it does not in time
   */
  private void await(Forward forward, Duration timeout) {
    switch (forward.type()) {
      case LOCAL -> {
        if (forward.remoteSocketPath().isPresent()) {
          awaitSocket(forward.remoteSocketPath().get(), timeout);
        } else {
          awaitDestination(forward, timeout);
        }
        awaitLocalListener(forward);
      }
      case REMOTE -> awaitServerListener(forward, timeout);
      case DYNAMIC -> awaitLocalListener(forward);
    }
  }

  private void awaitDestination(Forward forward, Duration timeout) {
    AtomicReference<String> refusal = new AtomicReference<>("");
    boolean accepted =
        Poll.until(
            timeout,
            PAUSE,
            () -> {
              Optional<String> why =
                  master.probeDestination(forward.destinationHost(), forward.destinationPort());
              why.ifPresent(refusal::set);
              return why.isEmpty();
            });
    if (!accepted) {
      throw new SshOperationException(
          String.format(
              "Destination %s:%d did not accept a connection from %s within %s: %s",
              forward.destinationHost(),
              forward.destinationPort(),
              server,
              timeout,
              refusal.get()));
    }
  }

  /**
   * Over the master itself, the server connects to the UNIX socket as the forward's channels will
   * ({@link ServerCommands#unixConnect}), until it accepts.
   */
  private void awaitSocket(String path, Duration timeout) {
    awaitProbe(ServerCommands.unixConnect(path), timeout, "The UNIX socket " + path);
  }

  /** Over the master itself, the server's own bash opens a TCP connection to its listener. */
  private void awaitServerListener(Forward forward, Duration timeout) {
    awaitProbe(
        ServerCommands.tcpConnect("127.0.0.1", forward.remotePort()),
        timeout,
        "The server-side listener 127.0.0.1:" + forward.remotePort() + " of a remote forward");
  }

  /** Runs {@code probe} over the master until it succeeds, within {@code timeout}. */
  private void awaitProbe(String probe, Duration timeout, String what) {
    AtomicReference<ExecResult> last = new AtomicReference<>();
    boolean accepted =
        Poll.until(
            timeout,
            PAUSE,
            () -> {
              last.set(master.exec(probe, AbstractEngineMaster.PROBE_ATTEMPT));
              return last.get().exitCode() == 0;
            });
    if (!accepted) {
      throw new SshOperationException(
          String.format(
              "%s on %s did not accept a connection within %s: %s",
              what, server, timeout, last.get().stderr().strip()));
    }
  }

  /** Checks that the loopback listener of a local or dynamic forward accepts a TCP connection. */
  private static void awaitLocalListener(Forward forward) {
    try (Socket socket = new Socket()) {
      socket.connect(forward.localAddress(), (int) AbstractEngineMaster.PROBE_ATTEMPT.toMillis());
    } catch (IOException e) {
      throw new SshOperationException(
          "The local listener "
              + forward.localAddress()
              + " of a forward did not accept a connection: "
              + e.getMessage(),
          e);
    }
  }
}
