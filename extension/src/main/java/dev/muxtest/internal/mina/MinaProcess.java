package dev.muxtest.internal.mina;

import dev.muxtest.RemoteProcess;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.CommandText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * A long-running process on the MINA engine: an exec channel of the master's session whose streams
 * are MINA's inverted ones. Its stdout and stderr are pipes that hold at most the channel's local
 * window: the window opens again only as the reader consumes, so a program whose output nobody
 * reads waits in the server; stdin writes wait for the server's window.
 */
final class MinaProcess implements RemoteProcess {

  /** The program's end: an exit status, an exit signal, or the channel closed. */
  private static final Set<ClientChannelEvent> ENDED =
      EnumSet.of(
          ClientChannelEvent.EXIT_STATUS,
          ClientChannelEvent.EXIT_SIGNAL,
          ClientChannelEvent.CLOSED);

  private final ChannelExec channel;
  private final String command;
  private final String server;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean endedBeforeClose;

  private MinaProcess(ChannelExec channel, String command, String server) {
    this.channel = channel;
    this.command = command;
    this.server = server;
  }

  /**
   * Opens an exec channel for {@code command} (with a pseudo-terminal of type {@code dumb} if
   * {@code terminal}) within {@code openTimeout}; {@code ended} runs once the channel has closed.
   * Messages name {@code shown}, the command as the caller gave it.
   *
   * @throws SshOperationException if the server refuses the channel or does not answer in time
   */
  static MinaProcess start(
      ClientSession session,
      String command,
      String shown,
      boolean terminal,
      boolean forwardAgent,
      Duration openTimeout,
      String server,
      Runnable ended) {
    ChannelExec channel = null;
    try {
      channel = session.createExecChannel(command);
      channel.setAgentForwarding(forwardAgent);
      if (terminal) {
        channel.setUsePty(true);
        channel.setPtyType("dumb");
      }
      // No setOut/setErr/setIn: MINA then makes the inverted streams, bounded by the window.
      channel.addCloseFutureListener(closedChannel -> ended.run());
      channel.open().verify(openTimeout);
      return new MinaProcess(channel, shown, server);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close(true);
      }
      throw new SshOperationException(
          "Cannot start a process on "
              + server
              + ": "
              + CommandText.shorten(shown)
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public OutputStream stdin() {
    return channel.getInvertedIn();
  }

  @Override
  public InputStream stdout() {
    return channel.getInvertedOut();
  }

  @Override
  public InputStream stderr() {
    return channel.getInvertedErr();
  }

  @Override
  public int waitFor(Duration timeout) {
    if (closed.get() && !endedBeforeClose) {
      throw new SshOperationException(
          "The process was closed before it ended on "
              + server
              + ": "
              + CommandText.shorten(command));
    }
    Set<ClientChannelEvent> events = channel.waitFor(ENDED, timeout);
    Integer status = channel.getExitStatus();
    if (status != null) {
      return status;
    }
    if (channel.getExitSignal() != null) {
      return 255;
    }
    if (events.contains(ClientChannelEvent.CLOSED)) {
      throw new SshOperationException(
          (closed.get()
                  ? "The process was closed before it ended"
                  : "The process's channel closed without an exit status")
              + " on "
              + server
              + ": "
              + command);
    }
    throw new SshOperationException(
        "The process did not end within "
            + timeout
            + " on "
            + server
            + ": "
            + CommandText.shorten(command));
  }

  @Override
  public boolean isAlive() {
    return !closed.get()
        && channel.isOpen()
        && channel.getExitStatus() == null
        && channel.getExitSignal() == null;
  }

  /**
   * Kills the program unless it has ended (the {@code signal} request, which OpenSSH's sshd sends
   * to its process group), then closes the channel as SSH means it, so that the server ends the
   * session and frees it: the server keeps a session whose program still runs.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    endedBeforeClose = channel.getExitStatus() != null || channel.getExitSignal() != null;
    ExecChannels.end(channel, !endedBeforeClose, "a process");
  }

  @Override
  public String toString() {
    return "process on " + server + ": " + CommandText.shorten(command);
  }
}
