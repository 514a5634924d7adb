package dev.muxtest.internal.engine;

import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The forwards of one master: each opened through the engine once its arguments are checked and the
 * master accepts, tracked until it closes, reopened after a reconnect and closed with the master at
 * the latest.
 */
final class ForwardRegistry {

  private final Set<Forward> forwards = ConcurrentHashMap.newKeySet();
  private final ServerEndpoint server;
  private final Runnable ensureAccepting;
  private final Supplier<ForwardOpener> engine;

  /**
   * Forwards to {@code server} opened by the engine's opener after {@code ensureAccepting} passed;
   * the opener is asked for only when a forward opens, once the engine is made.
   */
  ForwardRegistry(ServerEndpoint server, Runnable ensureAccepting, Supplier<ForwardOpener> engine) {
    this.server = server;
    this.ensureAccepting = ensureAccepting;
    this.engine = engine;
  }

  /** A local forward from {@code 127.0.0.1:bindPort} to {@code host:port} seen from the server. */
  Forward local(int bindPort, String host, int port) {
    Inputs.forwardLocal(bindPort, host, port);
    ensureAccepting.run();
    return track(engine.get().local(bindPort, host, port));
  }

  /** A remote forward from the server's {@code remotePort} to {@code host:port} seen from here. */
  Forward remote(int remotePort, String host, int port) {
    Inputs.forwardRemote(remotePort, host, port);
    ensureAccepting.run();
    return track(engine.get().remote(remotePort, host, port));
  }

  /** A dynamic forward (SOCKS proxy) on {@code 127.0.0.1:bindPort}. */
  Forward dynamic(int bindPort) {
    Inputs.forwardDynamic(bindPort);
    ensureAccepting.run();
    return track(engine.get().dynamic(bindPort));
  }

  /**
   * A local forward to the UNIX-domain socket {@code path} on the server.
   *
   * @throws SshOperationException if the server does not forward to UNIX sockets
   */
  Forward localSocket(int bindPort, String path) {
    Inputs.forwardLocalSocket(bindPort, path);
    if (!server.forwardsUnixSockets()) {
      // Refused here rather than per connection: each would otherwise be closed without a word.
      throw new SshOperationException(
          "Cannot forward to the UNIX socket "
              + path
              + " through "
              + server.describe()
              + ": the embedded server (Apache MINA SSHD) does not implement UNIX-socket forwarding"
              + " (direct-streamlocal@openssh.com); use an SshdContainer");
    }
    ensureAccepting.run();
    return track(engine.get().localSocket(bindPort, path));
  }

  private Forward track(Forward forward) {
    forwards.add(forward);
    return forward;
  }

  /** Forgets a forward that closed. */
  void forget(Forward forward) {
    forwards.remove(forward);
  }

  /** The forwards open now. */
  List<Forward> open() {
    return List.copyOf(forwards);
  }

  /**
   * After a reconnect: hands each open forward of the engine's {@code kind} to {@code reopen},
   * which opens it again on the new connection.
   */
  <T> void reopen(Class<T> kind, Consumer<? super T> reopen) {
    for (Forward forward : open()) {
      if (kind.isInstance(forward)) {
        reopen.accept(kind.cast(forward));
      }
    }
  }

  /** Closes every forward still open. */
  void closeAll() {
    open().forEach(Forward::close);
  }
}
