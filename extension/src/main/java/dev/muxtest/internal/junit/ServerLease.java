package dev.muxtest.internal.junit;

import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.ManagedContainer;
import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EmbeddedEndpoint;
import dev.muxtest.internal.engine.ServerEndpoint;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A server made ready for a master: an outside host as it is, a container or embedded server
 * started if it was not running (and then stopped by what was registered for closing).
 *
 * @param endpoint the server as a master sees it
 * @param container the container, for diagnostics; empty for an outside host or an embedded server
 */
record ServerLease(ServerEndpoint endpoint, Optional<SshdContainer> container) {

  /** A server outside the test: nothing to start or stop. */
  static ServerLease outside(ServerEndpoint endpoint) {
    return new ServerLease(endpoint, Optional.empty());
  }

  /**
   * Starts {@code managed} unless it runs; {@code register} receives it first.
   *
   * @throws SshOperationException naming {@code owner} when the container does not start
   */
  static ServerLease container(
      ManagedContainer managed, String owner, Consumer<AutoCloseable> register) {
    register.accept(managed);
    managed.start(owner);
    return new ServerLease(
        new ContainerEndpoint(managed.container()), Optional.of(managed.container()));
  }

  /**
   * Starts {@code server} unless it runs; {@code register} receives what stops it first.
   *
   * @throws SshOperationException naming {@code owner} when the server does not start
   */
  static ServerLease embedded(
      EmbeddedSshServer server, String owner, Consumer<AutoCloseable> register) {
    ManagedEmbedded managed = new ManagedEmbedded(server);
    register.accept(managed);
    managed.start(owner);
    return new ServerLease(new EmbeddedEndpoint(server), Optional.empty());
  }

  /**
   * An embedded server as the extension uses it: started here if it was not running, then stopped.
   */
  private static final class ManagedEmbedded implements AutoCloseable {

    private final EmbeddedSshServer server;
    private boolean startedHere;

    ManagedEmbedded(EmbeddedSshServer server) {
      this.server = server;
    }

    synchronized void start(String owner) {
      if (server.isRunning()) {
        return;
      }
      startedHere = true;
      try {
        server.start();
      } catch (RuntimeException e) {
        throw new SshOperationException(
            "muxtest: cannot start the embedded SSH server for " + owner + ": " + e.getMessage(),
            e);
      }
    }

    @Override
    public synchronized void close() {
      if (startedHere) {
        startedHere = false;
        server.stop();
      }
    }
  }
}
