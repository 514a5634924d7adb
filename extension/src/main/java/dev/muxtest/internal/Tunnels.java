package dev.muxtest.internal;

import dev.muxtest.Forward;
import java.time.Duration;

/** Opens a declared tunnel over a master, by its type, and waits until it is usable. */
final class Tunnels {

  private Tunnels() {}

  /**
   * Opens {@code spec} over {@code master}, hands the forward to {@code register} at once (so it
   * is closed even if the check below fails), then waits until it is usable.
   */
  static Forward open(EngineMaster master, TunnelSpec spec, Duration readyTimeout,
      java.util.function.Consumer<Forward> register) {
    Forward forward = switch (spec.type()) {
      case LOCAL -> master.forwardLocal(spec.bindPort(), spec.host(), spec.port());
      case REMOTE -> master.forwardRemote(spec.bindPort(), spec.host(), spec.port());
      case DYNAMIC -> master.forwardDynamic(spec.bindPort());
    };
    register.accept(forward);
    master.awaitReachable(forward, readyTimeout);
    return forward;
  }
}
