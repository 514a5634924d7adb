package dev.muxtest.bench.setup;

import dev.muxtest.ControlMaster;
import dev.muxtest.Forward;
import dev.muxtest.SshdContainer;
import dev.muxtest.bench.Cleanup;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.internal.ContainerEndpoint;
import dev.muxtest.internal.EngineMaster;
import dev.muxtest.internal.MinaMaster;
import dev.muxtest.internal.OpenSshMaster;
import dev.muxtest.internal.Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
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
  private final Engine mina;
  private final Engine openSsh;

  /** One engine's master and its forwards to the three services. */
  public record Engine(String name, EngineMaster master, Forward blob, Forward part, Forward oneByte) {}

  private Testbed(SshdContainer server, Engine mina, Engine openSsh) {
    this.server = server;
    this.mina = mina;
    this.openSsh = openSsh;
  }

  /** Starts the server, waits for its services, connects both masters and opens their forwards. */
  public static Testbed open(RunPlan plan, Cleanup cleanup) throws IOException, InterruptedException {
    SshdContainer server = cleanup.register("benchmark sshd container", BenchServer.create(plan));
    server.start();
    ContainerEndpoint endpoint = new ContainerEndpoint(server);
    EngineMaster mina = cleanup.register("MINA master", MinaMaster.connect(endpoint, Settings.DEFAULTS));
    EngineMaster openSsh = cleanup.register("OpenSSH master",
        OpenSshMaster.connect(endpoint, ControlMaster.AUTO, Settings.DEFAULTS));
    BenchServer.awaitServices(server);
    return new Testbed(server, forwards("MINA", mina), forwards("OpenSSH", openSsh));
  }

  private static Engine forwards(String name, EngineMaster master) {
    Engine engine = new Engine(name, master,
        master.forwardLocal("localhost", BenchServer.BLOB_PORT),
        master.forwardLocal("localhost", BenchServer.PART_PORT),
        master.forwardLocal("localhost", BenchServer.BYTE_PORT));
    // Closed with their master; checked end to end before anything is timed.
    for (Forward forward : new Forward[] {engine.blob(), engine.part(), engine.oneByte()}) {
      master.awaitReachable(forward, TIMEOUT);
    }
    return engine;
  }

  /** The server. */
  public SshdContainer server() {
    return server;
  }

  /** The MINA engine's master and forwards. */
  public Engine mina() {
    return mina;
  }

  /** The OpenSSH engine's master and forwards. */
  public Engine openSsh() {
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
