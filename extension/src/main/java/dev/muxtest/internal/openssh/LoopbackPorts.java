package dev.muxtest.internal.openssh;

import dev.muxtest.SshOperationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Ports the OpenSSH engine picks itself: OpenSSH refuses {@code -L} and {@code -D} on port 0, and
 * cancels a port-0 remote forward by its spec as requested. A picked port may be taken by another
 * process before ssh binds it, so each pick is tried a few times.
 */
final class LoopbackPorts {

  static final int ATTEMPTS = 5;

  private LoopbackPorts() {}

  /**
   * {@code open} on {@code bindPort}, or, for 0, on a free loopback port, picked again if taken.
   *
   * @throws SshOperationException with the last failure when no attempt succeeded
   */
  static <T> T onLoopbackPort(int bindPort, String what, IntFunction<T> open) {
    return attempts(
        bindPort == 0 ? ATTEMPTS : 1,
        what,
        () -> open.apply(bindPort == 0 ? freeLoopbackPort() : bindPort));
  }

  /**
   * {@code open} on a random port of the server's dynamic range (49152-65535), picked again if
   * taken.
   */
  static <T> T onServerPortOfOurChoosing(String what, IntFunction<T> open) {
    return attempts(
        ATTEMPTS, what, () -> open.apply(ThreadLocalRandom.current().nextInt(49152, 65536)));
  }

  private static <T> T attempts(int attempts, String what, Supplier<T> attempt) {
    SshOperationException last = null;
    for (int i = 0; i < attempts; i++) {
      try {
        return attempt.get();
      } catch (SshOperationException e) {
        last = e;
      }
    }
    throw new SshOperationException(
        "Cannot open " + what + " after " + attempts + " attempt(s): " + last.getMessage(), last);
  }

  private static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free loopback port", e);
    }
  }
}
