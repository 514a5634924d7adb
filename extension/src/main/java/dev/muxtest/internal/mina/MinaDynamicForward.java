package dev.muxtest.internal.mina;

import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.internal.engine.Poll;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.DynamicPortForwardingTracker;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * A dynamic forward (SOCKS proxy on loopback) of the MINA engine: MINA's tracker, closed
 * idempotently.
 */
final class MinaDynamicForward implements SessionBoundForward {

  private static final Duration UNBIND_WAIT = Duration.ofSeconds(2);
  private static final Duration UNBIND_PAUSE = Duration.ofMillis(20);
  private static final System.Logger LOG = System.getLogger(MinaDynamicForward.class.getName());

  private volatile DynamicPortForwardingTracker tracker;
  private final Consumer<Forward> onClose;

  MinaDynamicForward(DynamicPortForwardingTracker tracker, Consumer<Forward> onClose) {
    this.tracker = tracker;
    this.onClose = onClose;
  }

  /**
   * Listens on the same port again on a new connection, after a reconnect (the old listener ended
   * with it).
   */
  @Override
  public void reopen(ClientSession session) {
    try {
      tracker =
          session.createDynamicPortForwardingTracker(
              new SshdSocketAddress(tracker.getBoundAddress().getHostName(), localPort()));
    } catch (IOException e) {
      LOG.log(
          Level.WARNING,
          "Cannot reopen dynamic forward " + this + " after a reconnect: " + e.getMessage(),
          e);
    }
  }

  @Override
  public ForwardType type() {
    return ForwardType.DYNAMIC;
  }

  @Override
  public int localPort() {
    return tracker.getBoundAddress().getPort();
  }

  @Override
  public InetSocketAddress localAddress() {
    return new InetSocketAddress(tracker.getBoundAddress().getHostName(), localPort());
  }

  @Override
  public int remotePort() {
    return 0;
  }

  @Override
  public String destinationHost() {
    return "";
  }

  @Override
  public int destinationPort() {
    return 0;
  }

  @Override
  public boolean isOpen() {
    return tracker.isOpen() && tracker.getClientSession().isOpen();
  }

  @Override
  public void close() {
    try {
      int port = localPort();
      tracker.close();
      // MINA unbinds the SOCKS listener as it stops the forward; its acceptor may let go of the
      // port a moment later. Closed means the port refuses, so wait for that, briefly.
      Poll.until(UNBIND_WAIT, UNBIND_PAUSE, () -> !accepts(port));
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Stopping dynamic forward " + this + " failed", e);
    } finally {
      onClose.accept(this);
    }
  }

  private static boolean accepts(int port) {
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "SOCKS 127.0.0.1:" + localPort();
  }
}
