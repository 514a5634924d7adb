package dev.muxtest.internal.openssh;

import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.CommandText;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A long-running process on the OpenSSH engine: a multiplexing client ({@code ssh -S}) of the
 * master, run as a process of the test JVM with its standard streams on the operating system's
 * pipes. The client hands those pipes to the master, which writes into them only as fast as they
 * drain and opens the channel's window only by what it wrote: nothing between the program and the
 * reader grows without bound.
 */
final class OpenSshProcess implements RemoteProcess {

  private final Process process;
  private final String command;
  private final String server;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean endedBeforeClose;

  private OpenSshProcess(Process process, String command, String server) {
    this.process = process;
    this.command = command;
    this.server = server;
  }

  /**
   * Starts {@code ssh} with {@code arguments} (the whole command line, the remote command its last
   * argument after {@code --}); {@code ended} runs once the client has exited.
   *
   * @throws SshOperationException if the program cannot be started
   */
  static OpenSshProcess start(
      List<String> arguments, boolean terminal, String command, String server, Runnable ended) {
    ProcessBuilder builder = new ProcessBuilder(arguments);
    if (terminal) {
      builder.environment().put("TERM", "dumb"); // the pty-req's type, as on the MINA engine
    }
    try {
      Process process = builder.start();
      OpenSshProcess started = new OpenSshProcess(process, command, server);
      process
          .onExit()
          .thenRun(
              () -> {
                if (!started.closed.get()) {
                  started.endedBeforeClose = true;
                }
                ended.run();
              });
      return started;
    } catch (IOException e) {
      throw new SshOperationException(
          "Cannot start a process on "
              + server
              + ": "
              + CommandText.shorten(command)
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public OutputStream stdin() {
    return process.getOutputStream();
  }

  @Override
  public InputStream stdout() {
    return process.getInputStream();
  }

  @Override
  public InputStream stderr() {
    return process.getErrorStream();
  }

  /** The client's exit status is the program's, and 255 when a signal ended the program. */
  @Override
  public int waitFor(Duration timeout) {
    boolean ended;
    try {
      ended = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshOperationException(
          "Interrupted while waiting for a process on "
              + server
              + ": "
              + CommandText.shorten(command),
          e);
    }
    if (!ended) {
      throw new SshOperationException(
          "The process did not end within "
              + timeout
              + " on "
              + server
              + ": "
              + CommandText.shorten(command));
    }
    if (closed.get() && !endedBeforeClose) {
      throw new SshOperationException(
          "The process was closed before it ended on "
              + server
              + ": "
              + CommandText.shorten(command));
    }
    return process.exitValue();
  }

  @Override
  public boolean isAlive() {
    return !closed.get() && process.isAlive();
  }

  /**
   * Ends the multiplexing client: the master then sends end of file and closes the channel; with a
   * terminal the server hangs it up, which ends the program.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (!process.isAlive()) {
      endedBeforeClose = true;
    }
    SshCommand.killQuietly(process);
    closeQuietly(process.getOutputStream());
    closeQuietly(process.getInputStream());
    closeQuietly(process.getErrorStream());
  }

  private static void closeQuietly(Closeable stream) {
    try {
      stream.close();
    } catch (IOException e) {
      // The client is gone; its pipes have nothing more to say.
    }
  }

  @Override
  public String toString() {
    return "process on " + server + ": " + CommandText.shorten(command);
  }
}
