package dev.muxtest.internal.mina;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.common.channel.LocalWindow;

/**
 * The incoming data of one forwarding channel, handed from MINA's I/O thread to the forward's pump
 * packet by packet, with the SSH window opened only as the pump passes data on.
 *
 * <p>Why not MINA's {@code ChannelPipedInputStream}: it appends every packet to one growing array
 * and compacts that array, under a lock the I/O thread also needs, after every read; with the
 * window full (2 MiB) a 64 KiB read moved up to 2 MiB, and in a profile of a 1 GiB stream a third
 * of the I/O thread's samples (the thread that decrypts for the whole connection) waited for that
 * lock. Here the I/O thread copies each packet once into a chunk of its own and queues it in
 * constant time, and {@link #transferTo} writes whole chunks to the local socket with no further
 * copy.
 *
 * <p>Memory stays bounded by the window: the server may not send more than the window allows, and
 * the window opens only for data the reader has passed on. End of data is told apart from a channel
 * that closed without EOF: the first ends the stream, the second fails the read, so that a
 * connection cut short is never passed on as a complete one.
 */
final class ChannelDataPipe extends InputStream {

  private final LocalWindow window;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private byte[] current; // the reader's chunk, partly read; reader thread only
  private int position; // read position in current; reader thread only
  private boolean eof; // the server sent EOF: no data follows
  private boolean closed; // no data follows either, but without EOF (channel or reader closed)
  private boolean readerWaiting;
  private long unreleased; // reader thread only

  /** The writer side, for the channel's {@code out}. */
  private final OutputStream sink =
      new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
          if (length > 0) {
            offer(Arrays.copyOfRange(data, offset, offset + length));
          }
        }

        /** The channel closes its {@code out} when it closes: data ends here, EOF or not. */
        @Override
        public void close() {
          end(false);
        }
      };

  ChannelDataPipe(LocalWindow window) {
    this.window = window;
  }

  /** Where the channel writes the data it receives. */
  OutputStream sink() {
    return sink;
  }

  /** The server's EOF: the reader gets the data queued before it, then end of stream. */
  void endOfData() {
    end(true);
  }

  private void offer(byte[] chunk) {
    lock.lock();
    try {
      if (eof || closed) {
        // Nobody reads any more (or the server broke the protocol): dropped, as MINA drops data
        // for a closing channel; an exception here would end the whole connection.
        return;
      }
      chunks.add(chunk);
      if (readerWaiting) {
        readable.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void end(boolean withEof) {
    lock.lock();
    try {
      if (!eof && !closed) {
        if (withEof) {
          eof = true;
        } else {
          closed = true;
        }
      }
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next chunk, waiting for one; {@code null} at end of stream.
   *
   * @throws IOException if the channel closed without EOF, or the reader closed the stream
   * @throws InterruptedIOException if the waiting thread is interrupted
   */
  private byte[] take() throws IOException {
    lock.lock();
    try {
      while (true) {
        byte[] chunk = chunks.poll();
        if (chunk != null) {
          return chunk;
        }
        if (eof) {
          return null;
        }
        if (closed) {
          throw new IOException("The channel closed before the end of its data (no EOF)");
        }
        readerWaiting = true;
        try {
          readable.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("Interrupted while waiting for channel data");
        } finally {
          readerWaiting = false;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (current == null) {
      current = take();
      position = 0;
      if (current == null) {
        return -1;
      }
    }
    int n = Math.min(length, current.length - position);
    System.arraycopy(current, position, buffer, offset, n);
    position += n;
    if (position == current.length) {
      current = null;
    }
    release(n);
    return n;
  }

  /**
   * Writes everything up to the server's EOF to {@code out}, chunk by chunk, opening the window
   * only for what {@code out} took.
   *
   * @return the bytes written
   * @throws IOException if {@code out} fails, or the channel closed without EOF
   */
  @Override
  public long transferTo(OutputStream out) throws IOException {
    long total = 0;
    if (current != null) {
      int rest = current.length - position;
      out.write(current, position, rest);
      current = null;
      release(rest);
      total += rest;
    }
    for (byte[] chunk; (chunk = take()) != null; ) {
      out.write(chunk);
      release(chunk.length);
      total += chunk.length;
    }
    return total;
  }

  /**
   * Opens the window by what the reader passed on, once that is half the window, as OpenSSH's
   * client does. MINA's own rule sends an adjustment every 96 KiB (three packets): about ten times
   * as many packets for this side to encrypt and for the server to read. The server never waits for
   * it, as long as the reader keeps up: the other half of the window stays open meanwhile.
   */
  private void release(int n) throws IOException {
    unreleased += n;
    if (unreleased >= Math.max(1, window.getMaxSize() / 2) && window.isOpen()) {
      window.release(unreleased);
      unreleased = 0;
    }
  }

  /** The reader is done: queued data is dropped and the channel's further data refused. */
  @Override
  public void close() {
    lock.lock();
    try {
      chunks.clear();
      if (!eof) {
        closed = true;
      }
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
