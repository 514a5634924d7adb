package dev.muxtest.internal;

import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import java.util.List;

/**
 * A server container as the extension uses it: started here if it was not running (and then
 * also stopped here), and connected to with the chosen engine.
 */
final class ServerResources implements AutoCloseable {

  private static final int MAX_CAUSE_LENGTH = 300;

  private final SshdContainer container;
  private boolean startedHere;

  ServerResources(SshdContainer container) {
    this.container = container;
  }

  /** A new container on the configured or default base image. */
  static SshdContainer defaultServer(Settings settings) {
    return settings.baseImage().map(SshdContainer::new).orElseGet(SshdContainer::new);
  }

  /** Starts the container unless it runs already. */
  void start(String owner) {
    if (container.isRunning()) {
      return;
    }
    startedHere = true;
    try {
      container.start();
    } catch (RuntimeException e) {
      throw new SshOperationException(
          "muxtest: cannot start the SSH server container for " + owner + ": " + causes(e) + logTail(container), e);
    }
  }

  /** A master to the running container with the chosen engine. */
  static EngineMaster connect(SshdContainer container, EngineChoice choice, Settings settings) {
    return connect(new ContainerEndpoint(container), choice, settings);
  }

  /** A master to {@code endpoint} with the chosen engine. */
  static EngineMaster connect(ServerEndpoint endpoint, EngineChoice choice, Settings settings) {
    return switch (choice.engine()) {
      case OPENSSH -> OpenSshMaster.connect(endpoint, choice.controlMaster(), settings, choice.forwardAgent());
      default -> MinaMaster.connect(endpoint, settings, choice.forwardAgent());
    };
  }

  SshdContainer container() {
    return container;
  }

  /** Stops the container if it was started here. */
  @Override
  public void close() {
    if (startedHere) {
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
        String shortened = message.length() > MAX_CAUSE_LENGTH ? message.substring(0, MAX_CAUSE_LENGTH) + "..." : message;
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
