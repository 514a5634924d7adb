package dev.muxtest.internal;

import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.SshMaster;
import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/** Readiness checks of forwards that both engines share. */
final class ForwardProbes {

  private static final Duration ATTEMPT = Duration.ofSeconds(10);
  private static final Duration PAUSE = Duration.ofMillis(100);

  private ForwardProbes() {}

  /**
   * Waits until the server-side listener of a remote forward accepts a TCP connection made on the
   * server (bash's /dev/tcp), over {@code master} itself.
   */
  static void awaitServerListener(SshMaster master, Forward forward, String server, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String probe = "exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + forward.remotePort() + "'";
    while (true) {
      ExecResult result = master.exec(probe, ATTEMPT);
      if (result.exitCode() == 0) {
        return;
      }
      if (System.nanoTime() >= deadline) {
        throw new SshOperationException(String.format(
            "The server-side listener 127.0.0.1:%d of a remote forward on %s did not accept a connection within %s: %s",
            forward.remotePort(), server, timeout, result.stderr().strip()));
      }
      pause();
    }
  }

  /** Checks that the loopback listener of a local or dynamic forward accepts a TCP connection. */
  static void awaitLocalListener(Forward forward) {
    try (Socket socket = new Socket()) {
      socket.connect(forward.localAddress(), (int) ATTEMPT.toMillis());
    } catch (IOException e) {
      throw new SshOperationException(
          "The local listener " + forward.localAddress() + " of a forward did not accept a connection: " + e.getMessage(), e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(PAUSE.toMillis()); // between bounded polls of a listener
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshOperationException("Interrupted while waiting", e);
    }
  }
}
