package dev.muxtest.bench.setup;

import dev.muxtest.CloseableSshMaster;
import dev.muxtest.Engine;
import dev.muxtest.Forward;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshMasters;
import dev.muxtest.SshdContainer;
import dev.muxtest.bench.Cleanup;
import dev.muxtest.bench.RunPlan;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * What the data-path benchmarks share: the server with its services, one master per engine held
 * outside JUnit (as the extension holds a class's master), and a local forward per service on each.
 * Everything is registered with the run's {@link Cleanup} the moment it exists.
 */
public final class Testbed {

  /** Bound on every single command, connection or probe of the benchmarks. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final SshdContainer server;
  private final EngineUnderTest mina;
  private final EngineUnderTest openSsh;

  /** One engine's master and its forwards to the three services. */
  public record EngineUnderTest(
      String name, CloseableSshMaster master, Forward blob, Forward part, Forward oneByte) {}

  private Testbed(SshdContainer server, EngineUnderTest mina, EngineUnderTest openSsh) {
    this.server = server;
    this.mina = mina;
    this.openSsh = openSsh;
  }

  /** Starts the server, waits for its services, connects both masters and opens their forwards. */
  public static Testbed open(RunPlan plan, Cleanup cleanup)
      throws IOException, InterruptedException {
    SshdContainer server = cleanup.register("benchmark sshd container", BenchServer.create(plan));
    server.start();
    CloseableSshMaster mina =
        cleanup.register(
            "MINA master", SshMasters.connect(server, MasterOptions.engine(Engine.MINA)));
    CloseableSshMaster openSsh =
        cleanup.register(
            "OpenSSH master", SshMasters.connect(server, MasterOptions.engine(Engine.OPENSSH)));
    BenchServer.awaitServices(server);
    return new Testbed(server, forwards("MINA", mina), forwards("OpenSSH", openSsh));
  }

  private static EngineUnderTest forwards(String name, CloseableSshMaster master)
      throws IOException {
    EngineUnderTest engine =
        new EngineUnderTest(
            name,
            master,
            master.forwardLocal("localhost", BenchServer.BLOB_PORT),
            master.forwardLocal("localhost", BenchServer.PART_PORT),
            master.forwardLocal("localhost", BenchServer.BYTE_PORT));
    // Closed with their master; each listener is checked before anything is timed (the services
    // behind them answer already).
    for (Forward forward : new Forward[] {engine.blob(), engine.part(), engine.oneByte()}) {
      try (Socket probe = new Socket()) {
        probe.connect(forward.localAddress(), (int) TIMEOUT.toMillis());
      }
    }
    return engine;
  }

  /** The server. */
  public SshdContainer server() {
    return server;
  }

  /** The MINA engine's master and forwards. */
  public EngineUnderTest mina() {
    return mina;
  }

  /** The OpenSSH engine's master and forwards. */
  public EngineUnderTest openSsh() {
    return openSsh;
  }

  /** The large stream's published port: the direct baseline. */
  public InetSocketAddress directBlob() {
    return BenchServer.direct(server, BenchServer.BLOB_PORT);
  }

  /** The one-byte service's published port: the direct baseline. */
  public InetSocketAddress directByte() {
    return BenchServer.direct(server, BenchServer.BYTE_PORT);
  }
}
