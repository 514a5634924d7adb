package dev.muxtest.internal.engine;

import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waits until a forward works, the same way for both engines: LOCAL, its destination accepts a
 * connection from the server's side (the engine's probe; for a UNIX socket, a command on the
 * server) and its local listener accepts; REMOTE, its listener on the server accepts a connection
 * made on the server; DYNAMIC, its local listener accepts.
 */
final class ForwardReadiness {

  private static final Duration PAUSE = Duration.ofMillis(100);
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  /**
   * How long a destination may refuse before the log says so: a service still starting is waited
   * for, but a wrong port should not stay silent for the whole ready timeout.
   */
  static final Duration NOTICE_AFTER = Duration.ofSeconds(3);

  private final AbstractEngineMaster master;
  private final String server;

  ForwardReadiness(AbstractEngineMaster master, String server) {
    this.master = master;
    this.server = server;
  }

  /**
   * Opens the forward {@code spec} declares, then waits until it works; a forward that does not is
   * closed before this throws. A TCP destination is checked from the server's side while the
   * forward opens: the check does not need the forward, and on the OpenSSH engine each of the two
   * starts an ssh process.
   */
  Forward open(TunnelSpec spec, Duration readyTimeout) {
    BackgroundCheck destination =
        spec.type() == ForwardType.LOCAL && !spec.isSocket()
            ? BackgroundCheck.start(() -> awaitDestination(spec.host(), spec.port(), readyTimeout))
            : null;
    try {
      Forward forward =
          switch (spec.type()) {
            case LOCAL ->
                spec.isSocket()
                    ? master.forwardLocalSocket(spec.bindPort(), spec.socket())
                    : master.forwardLocal(spec.bindPort(), spec.host(), spec.port());
            case REMOTE -> master.forwardRemote(spec.bindPort(), spec.host(), spec.port());
            case DYNAMIC -> master.forwardDynamic(spec.bindPort());
          };
      try {
        if (destination != null) {
          destination.await();
          awaitLocalListener(forward);
        } else {
          await(forward, readyTimeout);
        }
      } catch (RuntimeException | Error e) {
        closeAfterFailure(forward, e);
        throw e;
      }
      return forward;
    } finally {
      if (destination != null) {
        destination.stop(); // a forward that could not open: the check is not waited for
      }
    }
  }

  private static void closeAfterFailure(Forward forward, Throwable failure) {
    try {
      forward.close();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Waits for {@code forward} (not a TCP local forward, whose destination is checked as it opens),
   * within {@code timeout} for a socket or server-side listener.
   *
   * @throws SshOperationException naming what did not answer, and why, when it does not in time
   */
  private void await(Forward forward, Duration timeout) {
    switch (forward.type()) {
      case LOCAL -> {
        awaitSocket(forward.remoteSocketPath().orElseThrow(), timeout);
        awaitLocalListener(forward);
      }
      case REMOTE -> awaitServerListener(forward, timeout);
      case DYNAMIC -> awaitLocalListener(forward);
    }
  }

  private void awaitDestination(String host, int port, Duration timeout) {
    DestinationAnswers answers = new DestinationAnswers(host, port, timeout);
    boolean accepted =
        Poll.until(
            timeout,
            PAUSE,
            () -> {
              Optional<String> why = master.probeDestination(host, port);
              why.ifPresent(answers::refused);
              return why.isEmpty();
            });
    if (!accepted) {
      throw new SshOperationException(
          String.format(
              "Destination %s:%d did not accept a connection from %s within %s: %s",
              host, port, server, timeout, answers.summary()));
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

  /** A check run on a thread of its own while the caller goes on; awaited, or stopped. */
  private static final class BackgroundCheck {
    private final FutureTask<Void> done;
    private final Thread thread;

    private BackgroundCheck(Runnable check) {
      done = new FutureTask<>(check, null);
      thread = new Thread(done, "muxtest-destination-check");
      thread.setDaemon(true);
    }

    static BackgroundCheck start(Runnable check) {
      BackgroundCheck started = new BackgroundCheck(check);
      started.thread.start();
      return started;
    }

    /**
     * Waits for the check, which bounds itself, and fails as it failed.
     *
     * @throws SshOperationException as the check threw it, or if the waiting thread is interrupted
     */
    void await() {
      try {
        done.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException failure) {
          throw failure;
        }
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw new SshOperationException("The destination check failed: " + e.getCause(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SshOperationException("Interrupted while checking a tunnel's destination", e);
      }
    }

    /** Interrupts a check still running and waits (bounded) for its thread to end. */
    void stop() {
      if (done.isDone()) {
        return;
      }
      thread.interrupt();
      try {
        thread.join(STOP_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
