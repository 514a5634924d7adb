package dev.muxtest.internal.engine;

import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.SshHost;
import dev.muxtest.SshTarget;
import dev.muxtest.SshdContainer;
import dev.muxtest.UserMaster;

/** Maps a public {@link SshTarget} to the endpoint a master connects to: the one such mapping. */
public final class Endpoints {

  private Endpoints() {}

  /**
   * The endpoint of {@code target}: a running container or embedded server, a host outside the
   * test, or the user's own master.
   *
   * @throws IllegalArgumentException if {@code target} is null, or a container or embedded server
   *     that is not running
   */
  public static ServerEndpoint of(SshTarget target) {
    // The one place that tells the four kinds apart (Java 17 has no switch over a sealed type).
    if (target instanceof SshdContainer container) {
      requireRunning(container.isRunning(), "SshdContainer");
      return new ContainerEndpoint(container);
    }
    if (target instanceof EmbeddedSshServer server) {
      requireRunning(server.isRunning(), "EmbeddedSshServer");
      return new EmbeddedEndpoint(server);
    }
    if (target instanceof SshHost host) {
      return new HostEndpoint(host);
    }
    if (target instanceof UserMaster master) {
      return new OwnMasterEndpoint(master);
    }
    throw new IllegalArgumentException("SshMasters.connect: the server is null");
  }

  private static void requireRunning(boolean running, String kind) {
    if (!running) {
      throw new IllegalArgumentException(
          "SshMasters.connect: the " + kind + " is not running; start it first (server.start())");
    }
  }
}
