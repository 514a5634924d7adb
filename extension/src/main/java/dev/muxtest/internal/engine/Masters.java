package dev.muxtest.internal.engine;

import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.mina.MinaMaster;
import dev.muxtest.internal.openssh.OpenSshMaster;

/**
 * Opens a master with the engine the options name: the one path of the extension and {@code
 * SshMasters}.
 */
public final class Masters {

  private Masters() {}

  /**
   * Connects a master to {@code server}. {@code options} choose the engine (DEFAULT: the one {@code
   * settings} configure) and override the timeouts of {@code settings}.
   *
   * @throws SshOperationException naming the server and the cause when it cannot
   */
  public static EngineMaster connect(
      ServerEndpoint server, MasterOptions options, Settings settings) {
    Settings effective = settings.with(options);
    Engine engine = options.engine() == Engine.DEFAULT ? settings.engine() : options.engine();
    if (server.needsOpenSsh() && engine != Engine.OPENSSH) {
      throw new SshOperationException(
          "The "
              + engine
              + " engine cannot use "
              + server.describe()
              + ": only the OpenSSH engine runs sessions over an OpenSSH control socket; use"
              + " Engine.OPENSSH (@SshMultiplexing(engine = Engine.OPENSSH),"
              + " MasterOptions.withEngine(Engine.OPENSSH) or muxtest.engine=OPENSSH)");
    }
    return switch (engine) {
      case OPENSSH ->
          OpenSshMaster.connect(server, options.controlMaster(), effective, options.forwardAgent());
      case MINA, DEFAULT -> MinaMaster.connect(server, effective, options.forwardAgent());
    };
  }
}
