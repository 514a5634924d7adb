package dev.muxtest.internal.junit;

import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.ManagedContainer;
import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.HostEndpoint;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A declared server made ready for a master: an outside host as it is, a container started if it
 * was not running (and then stopped on close), or a new default container labelled for its owner.
 */
final class ServerLease implements AutoCloseable {

  private final ServerEndpoint endpoint;
  private final Optional<ManagedContainer> container;

  private ServerLease(ServerEndpoint endpoint, Optional<ManagedContainer> container) {
    this.endpoint = endpoint;
    this.container = container;
  }

  /**
   * Makes {@code declared} ready. {@code register} receives the lease before anything starts, so
   * that a failed start still closes it.
   *
   * @param labelKey label of a default container, naming its owner in {@code docker ps}
   * @param labelValue its value
   * @throws dev.muxtest.SshOperationException naming {@code owner} when a container does not start
   */
  static ServerLease start(
      DeclaredServer declared,
      Settings settings,
      String owner,
      String labelKey,
      String labelValue,
      Consumer<AutoCloseable> register) {
    if (declared instanceof DeclaredServer.Host host) {
      return new ServerLease(new HostEndpoint(host.host()), Optional.empty());
    }
    ManagedContainer managed =
        declared instanceof DeclaredServer.Container c
            ? new ManagedContainer(c.container())
            : ManagedContainer.newDefault(settings, labelKey, labelValue);
    register.accept(managed);
    managed.start(owner);
    return new ServerLease(new ContainerEndpoint(managed.container()), Optional.of(managed));
  }

  /** The server as a master sees it. */
  ServerEndpoint endpoint() {
    return endpoint;
  }

  /** The container, for diagnostics; empty for an outside host. */
  Optional<SshdContainer> container() {
    return container.map(ManagedContainer::container);
  }

  /** Stops the container if it was started here. */
  @Override
  public void close() {
    container.ifPresent(ManagedContainer::close);
  }
}
