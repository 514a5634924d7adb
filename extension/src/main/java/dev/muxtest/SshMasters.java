package dev.muxtest;

import dev.muxtest.internal.engine.ContainerEndpoint;
import dev.muxtest.internal.engine.EmbeddedEndpoint;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.OwnMasterEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.util.Objects;
import java.util.Optional;

/**
 * Opens a master outside the extension: in a plain test, a benchmark or a tool. It is the same
 * master the extension gives a class (hardened, one TCP connection, forwards, connection report),
 * and the caller owns it:
 *
 * <pre>{@code
 * try (CloseableSshMaster master = SshMasters.connect(server, Engine.OPENSSH)) {
 *   master.exec("hostname");
 *   Forward db = master.forwardLocal("localhost", 5432);
 * }
 * }</pre>
 *
 * <p>Settings not given in {@link MasterOptions} come from system properties of the same keys as
 * the extension's configuration parameters ({@code muxtest.engine}, {@code
 * muxtest.connect.timeout}, ...), else the defaults.
 */
public final class SshMasters {

  private SshMasters() {}

  /**
   * A master to a running container, with the configured default engine.
   *
   * @throws IllegalArgumentException if the container is not running
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(SshdContainer server) {
    return connect(server, MasterOptions.defaults());
  }

  /**
   * A master to a running container with {@code engine}.
   *
   * @throws IllegalArgumentException if the container is not running
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(SshdContainer server, Engine engine) {
    return connect(server, MasterOptions.defaults().withEngine(engine));
  }

  /**
   * A master to a running container with {@code options}.
   *
   * @throws IllegalArgumentException if the container is not running
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(SshdContainer server, MasterOptions options) {
    Objects.requireNonNull(server, "server");
    if (!server.isRunning()) {
      throw new IllegalArgumentException(
          "SshMasters.connect: the SshdContainer is not running; start it first (server.start())");
    }
    return Masters.connect(new ContainerEndpoint(server), options, settings());
  }

  /**
   * A master to a server outside the test, with the configured default engine.
   *
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(SshHost host) {
    return connect(host, MasterOptions.defaults());
  }

  /**
   * A master to a server outside the test with {@code engine}.
   *
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(SshHost host, Engine engine) {
    return connect(host, MasterOptions.defaults().withEngine(engine));
  }

  /**
   * A master to a server outside the test with {@code options}.
   *
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(SshHost host, MasterOptions options) {
    return Masters.connect(
        OwnMasterEndpoint.of(Objects.requireNonNull(host, "host")), options, settings());
  }

  /**
   * A master to a running embedded server, with the configured default engine.
   *
   * @throws IllegalArgumentException if the server is null or not running
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(EmbeddedSshServer server) {
    return connect(server, MasterOptions.defaults());
  }

  /**
   * A master to a running embedded server with {@code engine}.
   *
   * @throws IllegalArgumentException if the server is null or not running
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(EmbeddedSshServer server, Engine engine) {
    return connect(server, MasterOptions.defaults().withEngine(engine));
  }

  /**
   * A master to a running embedded server with {@code options}.
   *
   * @throws IllegalArgumentException if the server is null or not running
   * @throws SshOperationException if the master cannot connect
   */
  public static CloseableSshMaster connect(EmbeddedSshServer server, MasterOptions options) {
    if (server == null || options == null) {
      throw new IllegalArgumentException(
          "SshMasters.connect: the EmbeddedSshServer and the options must not be null, but were "
              + server
              + ", "
              + options);
    }
    if (!server.isRunning()) {
      throw new IllegalArgumentException(
          "SshMasters.connect: the EmbeddedSshServer is not running; start it first (server.start())");
    }
    return Masters.connect(new EmbeddedEndpoint(server), options, settings());
  }

  private static Settings settings() {
    return Settings.from(key -> Optional.ofNullable(System.getProperty(key)));
  }
}
