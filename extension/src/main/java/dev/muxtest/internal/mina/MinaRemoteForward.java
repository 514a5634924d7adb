package dev.muxtest.internal.mina;

import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/** A remote forward of the MINA engine: MINA's tracker, closed idempotently. */
final class MinaRemoteForward implements SessionBoundForward {

  private static final System.Logger LOG = System.getLogger(MinaRemoteForward.class.getName());

  private volatile ExplicitPortForwardingTracker tracker;
  private final Consumer<Forward> onClose;

  MinaRemoteForward(ExplicitPortForwardingTracker tracker, Consumer<Forward> onClose) {
    this.tracker = tracker;
    this.onClose = onClose;
  }

  /** Requests the same server port again on a new connection, after a reconnect. */
  @Override
  public void reopen(ClientSession session) {
    SshdSocketAddress bound = tracker.getBoundAddress();
    try {
      tracker =
          session.createRemotePortForwardingTracker(
              new SshdSocketAddress(bound.getHostName(), bound.getPort()),
              tracker.getLocalAddress());
    } catch (IOException e) {
      LOG.log(
          Level.WARNING,
          "Cannot reopen remote forward " + this + " after a reconnect: " + e.getMessage(),
          e);
    }
  }

  @Override
  public ForwardType type() {
    return ForwardType.REMOTE;
  }

  @Override
  public int localPort() {
    return tracker.getLocalAddress().getPort();
  }

  @Override
  public InetSocketAddress localAddress() {
    return new InetSocketAddress(tracker.getLocalAddress().getHostName(), localPort());
  }

  @Override
  public int remotePort() {
    return tracker.getBoundAddress().getPort();
  }

  @Override
  public String destinationHost() {
    return tracker.getLocalAddress().getHostName();
  }

  @Override
  public int destinationPort() {
    return localPort();
  }

  @Override
  public boolean isOpen() {
    return tracker.isOpen();
  }

  @Override
  public void close() {
    try {
      if (tracker.isOpen()) {
        // MINA's tracker cancels the requested address: for port 0 it finds no binding and sends
        // nothing.
        tracker.getClientSession().stopRemotePortForwarding(tracker.getBoundAddress());
      }
      tracker.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cancelling remote forward " + this + " failed", e);
    } finally {
      onClose.accept(this);
    }
  }

  @Override
  public String toString() {
    return "server 127.0.0.1:"
        + remotePort()
        + " -> "
        + destinationHost()
        + ":"
        + destinationPort();
  }
}
