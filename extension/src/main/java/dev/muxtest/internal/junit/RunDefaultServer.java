package dev.muxtest.internal.junit;

import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.container.ManagedContainer;
import dev.muxtest.internal.engine.Settings;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The default server container of a run: shared by every class that declares no server (with {@code
 * muxtest.defaultServer.scope=run}, the default), started by the first class that needs it and
 * stopped when the run ends. Lives in the JUnit root store, which closes it after the run's last
 * class (and after the SUITE-scope masters stored later, which use it).
 *
 * <p>What the classes share is the server: its file system and processes. Each class still has its
 * own master, its own fresh key and its own proof, which counts only that key's logins.
 */
@SuppressWarnings(
    "deprecation") // CloseableResource: JUnit before 5.13 closes only those (6.x still does)
final class RunDefaultServer implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final Settings settings;
  private ManagedContainer managed;
  private SshOperationException failure;
  private boolean closed;

  /** A server not started yet; {@link #container} starts it. */
  RunDefaultServer(Settings settings) {
    this.settings = settings;
  }

  /**
   * The run's running container, started now if this is its first use. A start that failed is not
   * tried again: every later class fails at once with the same cause.
   *
   * @param user the class asking, named in a failure to start
   * @throws SshOperationException if the container cannot be started (or could not be earlier)
   */
  synchronized SshdContainer container(String user) {
    if (closed) {
      throw new IllegalStateException("the run's default SSH server is stopped already");
    }
    if (failure != null) {
      throw new SshOperationException(
          "muxtest: the run's default SSH server container did not start earlier, so "
              + user
              + " cannot use it: "
              + failure.getMessage(),
          failure);
    }
    if (managed == null) {
      managed = ManagedContainer.newDefault(settings, Labels.RUN_DEFAULT, "run");
      try {
        managed.start("the run's default server (first needed by " + user + ")");
      } catch (SshOperationException e) {
        failure = e;
        managed.close();
        throw e;
      }
    }
    return managed.container();
  }

  /** Stops the container if it was started. */
  @Override
  public synchronized void close() {
    closed = true;
    if (managed != null) {
      managed.close();
    }
  }
}
