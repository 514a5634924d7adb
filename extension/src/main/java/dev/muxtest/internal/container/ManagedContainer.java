package dev.muxtest.internal.container;

import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.engine.Settings;
import java.util.List;

/**
 * A server container as the extension uses it: started here if it was not running (and then also
 * stopped here, once).
 */
public final class ManagedContainer implements AutoCloseable {

  private static final int MAX_CAUSE_LENGTH = 300;

  private final SshdContainer container;
  private boolean startedHere;

  /** Manages {@code container}, which may be running already. */
  public ManagedContainer(SshdContainer container) {
    this.container = container;
  }

  /** A new container on the configured or default base image, labelled {@code label=value}. */
  public static ManagedContainer newDefault(Settings settings, String label, String value) {
    return new ManagedContainer(
        settings
            .baseImage()
            .map(SshdContainer::new)
            .orElseGet(SshdContainer::new)
            .withLabel(label, value));
  }

  /**
   * Starts the container unless it runs already.
   *
   * @throws SshOperationException naming {@code owner}, the causes and the end of the sshd's log
   */
  public void start(String owner) {
    if (container.isRunning()) {
      return;
    }
    startedHere = true;
    try {
      container.start();
    } catch (RuntimeException e) {
      throw new SshOperationException(
          "muxtest: cannot start the SSH server container for "
              + owner
              + ": "
              + causes(e)
              + logTail(container),
          e);
    }
  }

  /** The container. */
  public SshdContainer container() {
    return container;
  }

  /** Stops the container if it was started here. */
  @Override
  public synchronized void close() {
    if (startedHere) {
      startedHere = false;
      container.stop();
    }
  }

  /**
   * Every distinct message of the chain, each cut short: Testcontainers' outer messages alone
   * rarely name the cause, and some inner ones carry a whole container description.
   */
  private static String causes(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && text.indexOf(message) < 0) {
        String shortened =
            message.length() > MAX_CAUSE_LENGTH
                ? message.substring(0, MAX_CAUSE_LENGTH) + "..."
                : message;
        text.append(text.length() == 0 ? "" : " <- ").append(shortened);
      }
    }
    return text.toString();
  }

  /** The end of the server's own output, which usually says why it did not come up. */
  private static String logTail(SshdContainer server) {
    List<String> lines = server.recentLog();
    if (lines.isEmpty()) {
      return "";
    }
    return "\nsshd container log (last lines):\n  "
        + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }
}
