package dev.muxtest;

import dev.muxtest.internal.engine.Endpoints;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import java.util.Optional;

/**
 * Opens a master outside the extension: in a plain test, a benchmark or a tool. It is the same
 * master the extension gives a class (hardened, one TCP connection, forwards, connection report),
 * and the caller owns it:
 *
 * <pre>{@code
 * try (CloseableSshMaster master =
 *     SshMasters.connect(server, MasterOptions.engine(Engine.OPENSSH))) {
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
   * A master to {@code server} with the configured default engine and settings.
   *
   * @throws IllegalArgumentException if {@code server} is null, or a container or embedded server
   *     that is not running
   * @throws SshOperationException if the master cannot connect, or the engine cannot reach such a
   *     server (only the OpenSSH engine rides a {@link UserMaster})
   */
  public static CloseableSshMaster connect(SshTarget server) {
    return connect(server, MasterOptions.defaults());
  }

  /**
   * A master to {@code server} with {@code options} (engine, ControlMaster mode, agent, timeouts).
   *
   * @throws IllegalArgumentException if {@code server} or {@code options} is null, or {@code
   *     server} is a container or embedded server that is not running
   * @throws SshOperationException if the master cannot connect, or the engine cannot reach such a
   *     server (only the OpenSSH engine rides a {@link UserMaster})
   */
  public static CloseableSshMaster connect(SshTarget server, MasterOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("SshMasters.connect: the options are null");
    }
    return Masters.connect(Endpoints.of(server), options, settings());
  }

  private static Settings settings() {
    return Settings.from(key -> Optional.ofNullable(System.getProperty(key)));
  }
}
