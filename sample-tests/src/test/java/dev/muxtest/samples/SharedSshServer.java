package dev.muxtest.samples;

import dev.muxtest.SshdContainer;

/** One SSH server for several test classes: they name it, and in SUITE scope share one master. */
final class SharedSshServer {

  static final SshdContainer INSTANCE = new SshdContainer();

  private SharedSshServer() {}
}
