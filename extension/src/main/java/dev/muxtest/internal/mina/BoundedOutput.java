package dev.muxtest.internal.mina;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A command's stdout or stderr, kept in memory up to a limit. MINA writes a channel's data here as
 * it arrives and acknowledges it (opens the window) at once, so this is the only bound on what a
 * command can make the test JVM hold: past the limit nothing more is kept, and {@code onExceeded}
 * is told once, to end the command. It never throws: an exception here would end the whole
 * connection, not only the command.
 */
final class BoundedOutput extends OutputStream {

  private final long limit;
  private final Runnable onExceeded;
  private byte[] bytes = new byte[256];
  private int count;
  private boolean exceeded;

  BoundedOutput(long limit, Runnable onExceeded) {
    this.limit = limit;
    this.onExceeded = onExceeded;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] data, int offset, int length) {
    boolean justExceeded;
    synchronized (this) {
      if (exceeded) {
        return; // dropped: the command is being ended
      }
      justExceeded = (long) count + length > limit;
      if (justExceeded) {
        exceeded = true;
      } else {
        if (count + length > bytes.length) {
          // Grows by doubling, but never past the limit: the buffer is at most the limit.
          long wanted = Math.max((long) bytes.length * 2, (long) count + length);
          bytes = Arrays.copyOf(bytes, (int) Math.min(wanted, limit));
        }
        System.arraycopy(data, offset, bytes, count, length);
        count += length;
      }
    }
    if (justExceeded) {
      onExceeded.run();
    }
  }

  /** Whether the command wrote more than the limit. */
  synchronized boolean exceeded() {
    return exceeded;
  }

  /** What was kept, byte for byte (a copy). */
  synchronized byte[] bytes() {
    return Arrays.copyOf(bytes, count);
  }
}
