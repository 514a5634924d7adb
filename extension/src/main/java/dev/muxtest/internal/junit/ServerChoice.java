package dev.muxtest.internal.junit;

import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.ManagedContainer;
import dev.muxtest.internal.engine.DefaultServer;
import dev.muxtest.internal.engine.Settings;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Which server a class's master connects to, decided once by {@link ClassPlan}: its enclosing
 * class's (whose master it borrows), or a server of its own: the one it declares, the run's default
 * container, or a default server of the class's own.
 */
sealed interface ServerChoice {

  /** Whether using it needs Docker now (the enclosing class's server is running already). */
  boolean needsDocker();

  /** No declaration, inside a class with a master: that master is borrowed. */
  record Enclosing() implements ServerChoice {
    @Override
    public boolean needsDocker() {
      return false;
    }
  }

  /** A server the class's master (or a SUITE-scope master made for it) connects to. */
  sealed interface OwnServer extends ServerChoice {

    /**
     * The server object that masters shared for the run (SUITE scope) are keyed by, compared by
     * identity; empty for a new default server.
     */
    default Optional<Object> target() {
      return Optional.empty();
    }

    /**
     * This choice with any server it finds on first use found now: the run's default container then
     * starts (or is taken) before a master made with it, and so is stopped after that master.
     */
    default OwnServer resolved() {
      return this;
    }

    /**
     * Makes the server ready for a master of {@code owner}; {@code register} receives what must be
     * released, before it starts.
     *
     * @param label label of a new default container, naming its owner in {@code docker ps}
     * @param value the label's value
     * @throws SshOperationException naming {@code owner} when the server does not start
     */
    ServerLease start(
        Settings settings,
        String owner,
        String label,
        String value,
        Consumer<AutoCloseable> register);
  }

  /** The class's {@code @SshServer} field. */
  record Declared(DeclaredServer server) implements OwnServer {
    @Override
    public Optional<Object> target() {
      return Optional.of(server.target());
    }

    @Override
    public boolean needsDocker() {
      return server.needsDocker();
    }

    @Override
    public ServerLease start(
        Settings settings,
        String owner,
        String label,
        String value,
        Consumer<AutoCloseable> register) {
      return server.start(owner, register);
    }
  }

  /**
   * No declaration: the run's default container ({@code muxtest.defaultServer.scope=run}), which
   * {@code container} starts on first use; it is neither started nor stopped for the class.
   */
  record RunDefault(Supplier<SshdContainer> container) implements OwnServer {
    @Override
    public OwnServer resolved() {
      return new Declared(new DeclaredServer.Container(container.get()));
    }

    @Override
    public boolean needsDocker() {
      return true;
    }

    @Override
    public ServerLease start(
        Settings settings,
        String owner,
        String label,
        String value,
        Consumer<AutoCloseable> register) {
      return resolved().start(settings, owner, label, value, register);
    }
  }

  /** No declaration: a new default server of the class's own (or of a SUITE-scope master). */
  record ClassDefault(DefaultServer kind) implements OwnServer {
    @Override
    public boolean needsDocker() {
      return kind == DefaultServer.CONTAINER;
    }

    @Override
    public ServerLease start(
        Settings settings,
        String owner,
        String label,
        String value,
        Consumer<AutoCloseable> register) {
      return kind == DefaultServer.EMBEDDED
          ? ServerLease.embedded(new EmbeddedSshServer(), owner, register)
          : ServerLease.container(
              ManagedContainer.newDefault(settings, label, value), owner, register);
    }
  }
}
