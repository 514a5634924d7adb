package dev.muxtest.internal.junit;

import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshTarget;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.ManagedContainer;
import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EmbeddedEndpoint;
import dev.muxtest.internal.engine.Endpoints;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A declared server made ready for a master: an outside host as it is, a container or embedded
 * server started if it was not running (and then stopped on close), or a new default server (a
 * container labelled for its owner, or an embedded server with {@code muxtest.defaultServer=
 * embedded}).
 */
final class ServerLease implements AutoCloseable {

  private final ServerEndpoint endpoint;
  private final Optional<SshdContainer> container;
  private final AutoCloseable release;

  private ServerLease(
      ServerEndpoint endpoint, Optional<SshdContainer> container, AutoCloseable release) {
    this.endpoint = endpoint;
    this.container = container;
    this.release = release;
  }

  /**
   * Makes {@code declared} ready. {@code register} receives the lease before anything starts, so
   * that a failed start still closes it.
   *
   * @param labelKey label of a default container, naming its owner in {@code docker ps}
   * @param labelValue its value
   * @throws dev.muxtest.SshOperationException naming {@code owner} when a server does not start
   */
  static ServerLease start(
      DeclaredServer declared,
      Settings settings,
      String owner,
      String labelKey,
      String labelValue,
      Consumer<AutoCloseable> register) {
    if (declared instanceof DeclaredServer.Host || declared instanceof DeclaredServer.Own) {
      // Outside the test: used as it is, nothing to start or stop.
      return new ServerLease(
          Endpoints.of((SshTarget) declared.server()), Optional.empty(), () -> {});
    }
    if (declared instanceof DeclaredServer.Embedded
        || (declared instanceof DeclaredServer.None
            && settings.defaultServer() == Settings.DefaultServer.EMBEDDED)) {
      ManagedEmbedded managed =
          new ManagedEmbedded(
              declared instanceof DeclaredServer.Embedded e ? e.server() : new EmbeddedSshServer());
      register.accept(managed);
      managed.start(owner);
      return new ServerLease(new EmbeddedEndpoint(managed.server), Optional.empty(), managed);
    }
    ManagedContainer managed =
        declared instanceof DeclaredServer.Container c
            ? new ManagedContainer(c.container())
            : ManagedContainer.newDefault(settings, labelKey, labelValue);
    register.accept(managed);
    managed.start(owner);
    return new ServerLease(
        new ContainerEndpoint(managed.container()), Optional.of(managed.container()), managed);
  }

  /** The server as a master sees it. */
  ServerEndpoint endpoint() {
    return endpoint;
  }

  /** The container, for diagnostics; empty for an outside host or an embedded server. */
  Optional<SshdContainer> container() {
    return container;
  }

  /** Stops the server if it was started here. */
  @Override
  public void close() {
    try {
      release.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot stop the SSH server " + endpoint.describe(), e);
    }
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
