package dev.muxtest.internal.junit;

import dev.muxtest.ConnectionReport;
import dev.muxtest.Forward;
import dev.muxtest.Scope;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.OwnMasterEvidence;
import dev.muxtest.internal.engine.TunnelSpec;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;

/**
 * How a class holds its master, which decides how its tunnels are opened and closed and whether the
 * end-of-class proof is the class's to make.
 */
sealed interface MasterLease {

  /** The master. */
  EngineMaster master();

  /** The server's container, for diagnostics; empty for an outside host or an embedded server. */
  Optional<SshdContainer> container();

  /**
   * Opens and checks the tunnel {@code spec}; {@code register} receives what the class must close.
   *
   * @throws SshOperationException if it cannot be opened or does not work in time
   */
  Forward open(TunnelSpec spec, Duration readyTimeout, Consumer<AutoCloseable> register);

  /**
   * Checks the end-of-class proof, handing its report entries to {@code publish} first.
   *
   * @throws AssertionFailedError unless one TCP connection carried it all
   */
  void prove(String owner, BiConsumer<String, String> publish);

  /** Where a lease being taken puts what it makes. */
  interface Holder {
    /** Releases {@code resource} with the class (newest first). */
    void register(AutoCloseable resource);

    /** The server's container runs: shown in diagnostics even if no master connects to it. */
    void serving(SshdContainer container);
  }

  /**
   * Takes the master {@code plan} asks for: the enclosing class's, the run's (SUITE scope: the one
   * {@code suiteMasters} keeps under its key, or opens with the supplier given), or a new one of
   * the class's own. {@code holder} receives each resource the moment it exists, so that a setup
   * failing half way still releases it.
   *
   * @throws SshOperationException naming the step that failed
   */
  static MasterLease take(
      ClassPlan plan,
      Optional<ClassSession> enclosing,
      BiFunction<SuiteMaster.Key, Supplier<SuiteMaster>, SuiteMaster> suiteMasters,
      Holder holder) {
    if (!(plan.server() instanceof ServerChoice.OwnServer own)) {
      MasterLease outer = enclosing.orElseThrow().lease();
      return outer instanceof Shared ? outer : new Borrowed(outer.master(), outer.container());
    }
    ServerChoice.OwnServer server = own.resolved();
    if (plan.options().scope() == Scope.SUITE) {
      SuiteMaster shared =
          suiteMasters.apply(
              SuiteMaster.Key.of(plan.options(), server), () -> SuiteMaster.open(plan, server));
      holder.register(shared.use());
      return new Shared(shared);
    }
    String owner = plan.testClass().getName();
    ServerLease lease =
        server.start(plan.settings(), owner, Labels.TEST_CLASS, owner, holder::register);
    lease.container().ifPresent(holder::serving);
    EngineMaster master =
        Masters.connect(lease.endpoint(), plan.options().master(), plan.settings());
    holder.register(master);
    return new Owned(master, lease.container());
  }

  /** The class's own master: opened and closed with the class, proven after it. */
  record Owned(EngineMaster master, Optional<SshdContainer> container) implements MasterLease {
    @Override
    public Forward open(TunnelSpec spec, Duration readyTimeout, Consumer<AutoCloseable> register) {
      Forward forward = master.open(spec, readyTimeout);
      if (!master.closesForwardsWithItself()) {
        register.accept(forward);
      }
      return forward;
    }

    @Override
    public void prove(String owner, BiConsumer<String, String> publish) {
      MasterLease.verify(owner, master, publish);
    }
  }

  /** The enclosing class's master, of CLASS scope: proven by that class. */
  record Borrowed(EngineMaster master, Optional<SshdContainer> container) implements MasterLease {
    @Override
    public Forward open(TunnelSpec spec, Duration readyTimeout, Consumer<AutoCloseable> register) {
      Forward forward = master.open(spec, readyTimeout);
      register.accept(forward);
      return forward;
    }

    @Override
    public void prove(String owner, BiConsumer<String, String> publish) {
      // the enclosing class proves its master after it ends
    }
  }

  /**
   * The run's master (SUITE scope): its tunnels are kept for the run, and it is proven after each
   * class, covering the run so far.
   */
  record Shared(SuiteMaster suite) implements MasterLease {
    @Override
    public EngineMaster master() {
      return suite.master();
    }

    @Override
    public Optional<SshdContainer> container() {
      return suite.container();
    }

    @Override
    public Forward open(TunnelSpec spec, Duration readyTimeout, Consumer<AutoCloseable> register) {
      // The run's: not the class's to close, and the same port for every class declaring it.
      return suite.tunnel(spec, readyTimeout);
    }

    @Override
    public void prove(String owner, BiConsumer<String, String> publish) {
      MasterLease.verify(owner, suite.master(), publish);
    }
  }

  /**
   * The proof of {@code master}: on the user's own master, that every session rode it; else that
   * one TCP connection carried everything (by the server's log too, where the server gives one).
   */
  private static void verify(
      String owner, EngineMaster master, BiConsumer<String, String> publish) {
    Optional<OwnMasterEvidence> evidence = master.ownMasterEvidence();
    if (evidence.isPresent()) {
      publish.accept("muxtest.connections", evidence.get().summary());
      Proof.verifyRodeOwnMaster(owner, evidence.get());
      return;
    }
    ConnectionReport report = master.connectionReport();
    publish.accept(
        "muxtest.connections",
        String.format(
            "client TCP connections: %d, server authenticated connections: %d, key %s",
            report.clientTcpConnections(),
            report.serverAuthenticatedConnections(),
            report.keyFingerprint()));
    if (master.serverEvidenceAvailable()) {
      Proof.verifySingleConnection(owner, report);
    } else {
      Proof.verifySingleClientConnection(owner, report);
    }
  }
}
