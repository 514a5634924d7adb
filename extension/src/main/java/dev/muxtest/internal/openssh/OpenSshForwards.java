package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.Forward;
import dev.muxtest.ForwardType;
import dev.muxtest.internal.engine.ForwardOpener;
import dev.muxtest.internal.engine.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How the OpenSSH engine opens forwards: {@code ssh -O forward} on the master, on a loopback port
 * picked here (OpenSSH refuses port 0 for a local listener), or, with ControlMaster NO, an {@code
 * ssh -N} process of its own per forward.
 */
final class OpenSshForwards implements ForwardOpener {

  private final Supplier<MuxClient> client;
  private final ControlMaster mode;
  private final Path directory;
  private final Settings settings;
  private final String server;
  private final MasterHooks master;

  /**
   * What a forward needs of its master.
   *
   * @param open whether the master is still open
   * @param endsForwards whether the master is closing or stopped and ends its forwards itself, so
   *     that no {@code -O cancel} is needed (or taken)
   * @param openForwards the master's forwards open now
   * @param countConnection counts a TCP connection of a forward's own (ControlMaster NO)
   * @param onClose forgets a forward that closed
   */
  record MasterHooks(
      BooleanSupplier open,
      BooleanSupplier endsForwards,
      Supplier<List<Forward>> openForwards,
      Runnable countConnection,
      Consumer<Forward> onClose) {}

  /**
   * Forwards through the master that {@code client} drives (made when the master starts), in {@code
   * mode}, its private {@code directory} and {@code settings}, to {@code server} (for messages).
   */
  OpenSshForwards(
      Supplier<MuxClient> client,
      ControlMaster mode,
      Path directory,
      Settings settings,
      String server,
      MasterHooks master) {
    this.client = client;
    this.mode = mode;
    this.directory = directory;
    this.settings = settings;
    this.server = server;
    this.master = master;
  }

  @Override
  public Forward local(int bindPort, String host, int port) {
    return LoopbackPorts.onLoopbackPort(
        bindPort,
        "a local forward to " + host + ":" + port + " through " + server,
        localPort -> add(new ForwardRequest(ForwardType.LOCAL, localPort, host, port)));
  }

  @Override
  public Forward dynamic(int bindPort) {
    return LoopbackPorts.onLoopbackPort(
        bindPort,
        "a dynamic forward (SOCKS proxy) through " + server,
        localPort -> add(new ForwardRequest(ForwardType.DYNAMIC, localPort, "", 0)));
  }

  @Override
  public Forward remote(int remotePort, String host, int port) {
    boolean anotherOnAnyPort =
        master.openForwards().get().stream()
            .anyMatch(f -> f instanceof OpenSshForward o && o.isRemoteOnAnyPortTo(host, port));
    if (remotePort == 0 && mode != ControlMaster.NO && anotherOnAnyPort) {
      // OpenSSH cancels a port-0 remote forward by the spec as requested, which would then match
      // the first of the two: ask for a port of our own choosing, so that each can be cancelled
      // alone.
      return LoopbackPorts.onServerPortOfOurChoosing(
          "a remote forward to " + host + ":" + port + " through " + server,
          serverPort -> add(new ForwardRequest(ForwardType.REMOTE, serverPort, host, port)));
    }
    return add(new ForwardRequest(ForwardType.REMOTE, remotePort, host, port));
  }

  /** {@code -O forward -L 127.0.0.1:PORT:/path} on a picked free port, as a TCP local forward. */
  @Override
  public Forward localSocket(int bindPort, String path) {
    return LoopbackPorts.onLoopbackPort(
        bindPort,
        "a local forward to the UNIX socket " + path + " through " + server,
        localPort ->
            add(
                ForwardRequest.toSocket(
                    localPort,
                    path,
                    // Only a path with a '%' reads differently to an older ssh: asked only then.
                    path.indexOf('%') < 0
                        || ForwardPathExpansion.expandsPercent(
                            settings.sshExecutable(), directory))));
  }

  private OpenSshForward add(ForwardRequest request) {
    return mode == ControlMaster.NO
        ? OpenSshForward.ownConnection(
            client.get(),
            request,
            directory,
            settings.connectTimeout(),
            server,
            master.countConnection(),
            master.onClose())
        : OpenSshForward.overMaster(
            client.get(), request, server, master.open(), master.endsForwards(), master.onClose());
  }
}
