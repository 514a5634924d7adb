package dev.muxtest.internal.junit;

import dev.muxtest.ConnectionReport;
import dev.muxtest.Forward;
import dev.muxtest.Scope;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.container.Labels;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import dev.muxtest.internal.engine.TunnelSpec;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * Everything one test class holds: its server (when the extension started it), its master and its
 * declared tunnels. The master is the class's own, borrowed from the enclosing class (a {@code
 * Nested} class that names no server), or the run's (SUITE scope).
 *
 * <p>Each resource is registered for closing the moment it exists, so a setup that fails half way
 * still releases what it made. Closing releases them in reverse order: tunnels, master, server.
 */
@SuppressWarnings(
    "deprecation") // CloseableResource: JUnit before 5.13 closes only those (6.x still does)
public final class ClassSession implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  /** How a class holds its master, which decides whether its proof is the class's to make. */
  private enum Lease {
    /** Its own: opened and closed with the class, proven after it. */
    OWNED,
    /** The enclosing class's, of CLASS scope: proven by that class. */
    BORROWED,
    /** The run's (SUITE scope): proven after each class, covering the run so far. */
    SHARED
  }

  private final Class<?> testClass;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final Map<String, Forward> tunnels = Collections.synchronizedMap(new LinkedHashMap<>());
  private volatile EngineMaster master;
  private volatile ClassOptions options;
  private volatile Lease lease;
  private volatile Optional<SshdContainer> container = Optional.empty();

  /** The run's master and its kept tunnels, when this class shares it (SUITE scope). */
  private volatile SuiteMaster suite;

  private volatile Optional<ClassSession> enclosing = Optional.empty();

  /** An empty session for {@code testClass}; {@link #open} fills it. */
  public ClassSession(Class<?> testClass) {
    this.testClass = testClass;
  }

  /**
   * Gets the class its master (starting the server if needed, or taking the enclosing class's or
   * the run's), then opens and checks every tunnel. A class on the run's master takes the run's
   * tunnels: each declaration opened once and kept until the run ends. Once all are open, the class
   * is listed in {@link OpenClasses} until it closes.
   *
   * @throws SshOperationException naming the class and the step that failed
   */
  public void open(
      List<TunnelSpec> specs,
      DeclaredServer declared,
      Optional<ClassSession> enclosing,
      ClassOptions options,
      Settings settings,
      Function<SuiteMaster.Key, SuiteMaster> suiteMasters) {
    this.options = options;
    this.enclosing = enclosing;
    if (declared instanceof DeclaredServer.None && enclosing.isPresent()) {
      ClassSession outer = enclosing.get();
      master = outer.master;
      container = outer.container;
      suite = outer.suite;
      lease = outer.lease == Lease.SHARED ? Lease.SHARED : Lease.BORROWED;
    } else if (options.scope() == Scope.SUITE) {
      SuiteMaster shared = suiteMasters.apply(SuiteMaster.Key.of(options, declared));
      register(shared.use());
      master = shared.master();
      container = shared.container();
      suite = shared;
      lease = Lease.SHARED;
    } else {
      ServerLease server =
          ServerLease.start(
              declared,
              settings,
              testClass.getName(),
              Labels.TEST_CLASS,
              testClass.getName(),
              this::register);
      container = server.container();
      EngineMaster connected = Masters.connect(server.endpoint(), options.master(), settings);
      register(connected);
      master = connected;
      lease = Lease.OWNED;
    }
    SuiteMaster run = suite;
    for (TunnelSpec spec : specs) {
      try {
        if (run != null) {
          // The run's: not the class's to close, and the same port for every class declaring it.
          tunnels.put(spec.name(), run.tunnel(spec, settings.tunnelReadyTimeout()));
        } else {
          Forward forward = master.open(spec, settings.tunnelReadyTimeout());
          if (lease != Lease.OWNED || !master.closesForwardsWithItself()) {
            register(forward);
          }
          tunnels.put(spec.name(), forward);
        }
      } catch (SshOperationException e) {
        throw new SshOperationException(
            String.format(
                "muxtest: tunnel \"%s\" of %s (%s) is not usable: %s",
                spec.name(), testClass.getName(), spec.describe(), e.getMessage()),
            e);
      }
    }
    OpenClasses.add(testClass, this);
    register(() -> OpenClasses.remove(testClass, this));
  }

  private synchronized void register(AutoCloseable resource) {
    resources.push(resource);
  }

  /**
   * Checks the end-of-class proof of a master this class owns or shares, handing its report to
   * {@code publish} first; nothing when the class borrows its enclosing class's master or never got
   * one.
   *
   * @throws AssertionFailedError unless one TCP connection carried it all (by the server's log too,
   *     where the server gives one)
   */
  public void verifyProof(Consumer<ConnectionReport> publish) {
    EngineMaster current = master;
    if (current == null || lease == Lease.BORROWED) {
      return;
    }
    ConnectionReport report = current.connectionReport();
    publish.accept(report);
    String owner = "SSH master of " + testClass.getName();
    if (current.serverEvidenceAvailable()) {
      Proof.verifySingleConnection(owner, report);
    } else {
      Proof.verifySingleClientConnection(owner, report);
    }
  }

  /** The tunnel of this class with that name. */
  public Optional<Forward> tunnel(String name) {
    return Optional.ofNullable(tunnels.get(name));
  }

  /** The test class. */
  public Class<?> testClass() {
    return testClass;
  }

  /** The tunnel with that name of this class or, failing that, of its enclosing classes. */
  Optional<Forward> tunnelOrEnclosing(String name) {
    Optional<Forward> own = tunnel(name);
    return own.isPresent() ? own : enclosing.flatMap(outer -> outer.tunnelOrEnclosing(name));
  }

  /** Names of the tunnels of this class and its enclosing classes. */
  Set<String> tunnelNamesWithEnclosing() {
    Set<String> names = new TreeSet<>(tunnelNames());
    enclosing.ifPresent(outer -> names.addAll(outer.tunnelNamesWithEnclosing()));
    return names;
  }

  /** Names of this class's own tunnels, in declaration order. */
  public Set<String> tunnelNames() {
    synchronized (tunnels) {
      return Set.copyOf(tunnels.keySet());
    }
  }

  /** The options this class resolved; enclosed classes inherit them. */
  public Optional<ClassOptions> options() {
    return Optional.ofNullable(options);
  }

  /** The master of this class, once open. */
  public Optional<EngineMaster> master() {
    return Optional.ofNullable(master);
  }

  /**
   * What a person needs to see why a test failed: connection counts, open forwards, the end of the
   * sshd's log and of the master's own log. Keys are report-entry keys.
   */
  public Map<String, String> diagnostics() {
    Map<String, String> entries = new LinkedHashMap<>();
    EngineMaster current = master;
    if (current != null) {
      entries.put(
          "muxtest.connections",
          String.format(
              "client TCP connections: %d (%s engine)",
              current.clientConnections(), current.engine()));
      List<Forward> forwards = current.openForwards();
      entries.put("muxtest.forwards", forwards.isEmpty() ? "none" : forwards.toString());
      String masterLog = current.logTail();
      if (!masterLog.isEmpty()) {
        entries.put("muxtest.master.log", masterLog);
      }
    }
    container.ifPresent(
        server -> {
          List<String> log = server.recentLog();
          if (!log.isEmpty()) {
            entries.put(
                "muxtest.sshd.log",
                String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size())));
          }
        });
    return entries;
  }

  /**
   * Closes tunnels, master and server (if started here), newest first; the first failure is thrown.
   */
  @Override
  public void close() {
    RuntimeException failure = null;
    while (true) {
      AutoCloseable next;
      synchronized (this) {
        next = resources.poll();
      }
      if (next == null) {
        break;
      }
      try {
        next.close();
      } catch (Exception e) {
        RuntimeException unchecked =
            e instanceof RuntimeException r
                ? r
                : new IllegalStateException(
                    "muxtest: closing " + next + " of " + testClass.getName() + " failed", e);
        if (failure == null) {
          failure = unchecked;
        } else {
          failure.addSuppressed(unchecked);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * The end-of-class proof of a class whose master rides the user's own master ({@code
   * SshHost.ofControlSocket}): all sessions rode it. Hands the summary to {@code publish} (as the
   * report entry {@code muxtest.connections}) and fails unless they did; false, and nothing done,
   * for any other master (then {@link #verifyProof} applies).
   *
   * @throws AssertionFailedError if a session may have opened a connection of its own
   */
  public boolean verifyOwnMasterProof(java.util.function.BiConsumer<String, String> publish) {
    EngineMaster current = master;
    if (current == null) {
      return false;
    }
    Optional<dev.muxtest.internal.engine.OwnMasterEvidence> evidence = current.ownMasterEvidence();
    if (evidence.isEmpty()) {
      return false;
    }
    if (lease != Lease.BORROWED) {
      publish.accept("muxtest.connections", evidence.get().summary());
      Proof.verifyRodeOwnMaster("SSH master of " + testClass.getName(), evidence.get());
    }
    return true;
  }
}
