package dev.muxtest;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A program running on the server in a session of the master, from {@link SshMaster#start(String)}
 * or {@link SshMaster#startWithTerminal(String)}: its standard streams, its exit status, and {@link
 * #close()} to end it.
 *
 * <p>Back-pressure: output nobody reads is not buffered without bound. Once the SSH channel's
 * window (a few MiB) is full, the server stops reading from the program and the program waits in
 * its next write, as with a local pipe. Read {@link #stdout()} and {@link #stderr()} (for example
 * each on its own thread) if the program writes much; a program that cannot write cannot end
 * either.
 *
 * <p>The process holds one session of the master's session budget until it is closed or its channel
 * has ended. One started in a test method (or its {@code @BeforeEach}) and not closed is closed
 * after the method; one started through the master of {@code @BeforeAll} lives until the class's
 * master closes.
 */
public interface RemoteProcess extends AutoCloseable {

  /**
   * The program's standard input. Closing it sends end of file (SSH's channel EOF); in a terminal
   * ({@link SshMaster#startWithTerminal(String)}) the program sees end of input only when it reads
   * Ctrl-D (byte 4) at the start of a line.
   */
  OutputStream stdin();

  /** The program's standard output (with a terminal: the terminal's output, stderr included). */
  InputStream stdout();

  /**
   * The program's standard error; empty with a terminal, whose output is all on {@link #stdout()}.
   */
  InputStream stderr();

  /**
   * Waits until the program has ended and returns its exit status; 255 if it was ended by a signal
   * (as OpenSSH's {@code ssh} reports it).
   *
   * @throws IllegalArgumentException if {@code timeout} is null, not positive or over 24 hours
   * @throws SshOperationException if it has not ended within {@code timeout}, or was closed before
   *     it ended
   */
  int waitFor(Duration timeout);

  /** Whether the program may still be running: not ended, and not closed. */
  boolean isAlive();

  /**
   * Ends the process and gives its session back to the master; idempotent. Without a terminal, a
   * program still running has its process group on the server ended first (TERM, then KILL),
   * through one exec in this process's session, whatever it reads or writes. Then MINA sends a
   * {@code signal} request (KILL) unless the program has ended and closes the channel; OpenSSH
   * kills the multiplexing client ({@code ssh -S}) and the master closes the channel; with a
   * terminal, the server then hangs the terminal up, which ends the program.
   *
   * @throws SshOperationException if the program could not be ended on the server (the process is
   *     closed and its session given back all the same)
   */
  @Override
  void close();
}
