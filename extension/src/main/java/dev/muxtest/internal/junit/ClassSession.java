package dev.muxtest.internal.junit;

import dev.muxtest.Forward;
import dev.muxtest.SshOperationException;
import dev.muxtest.SshdContainer;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.TunnelSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * Everything one test class holds: its server (when the extension started it), its master and its
 * declared tunnels, taken as its {@link ClassPlan} says. Closing releases them newest first:
 * tunnels, master, server.
 */
@SuppressWarnings(
    "deprecation") // CloseableResource: JUnit before 5.13 closes only those (6.x still does)
final class ClassSession
    implements MasterLease.Holder, AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final ClassPlan plan;
  private final Resources resources;
  private final Map<String, Forward> tunnels = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Optional<ClassSession> enclosing;
  private volatile MasterLease lease;
  private volatile Optional<SshdContainer> container = Optional.empty();

  /** An empty session for {@code plan}; {@link #open} fills it. */
  ClassSession(ClassPlan plan, Optional<ClassSession> enclosing) {
    this.plan = plan;
    this.enclosing = enclosing;
    this.resources = new Resources(plan.testClass().getName());
  }

  /**
   * Takes the class its master (see {@link MasterLease#take}), then opens and checks every tunnel.
   * Once all are open, the class is listed in {@link OpenClasses} until it closes.
   *
   * @throws SshOperationException naming the class and the step that failed
   */
  void open(BiFunction<SuiteMaster.Key, Supplier<SuiteMaster>, SuiteMaster> suiteMasters) {
    lease = MasterLease.take(plan, enclosing, suiteMasters, this);
    container = lease.container();
    for (TunnelSpec spec : plan.tunnels()) {
      try {
        tunnels.put(
            spec.name(), lease.open(spec, plan.settings().tunnelReadyTimeout(), resources::push));
      } catch (SshOperationException e) {
        throw new SshOperationException(
            String.format(
                "muxtest: tunnel \"%s\" of %s (%s) is not usable: %s",
                spec.name(), testClass().getName(), spec.describe(), e.getMessage()),
            e);
      }
    }
    OpenClasses.add(testClass(), this);
    resources.push(() -> OpenClasses.remove(testClass(), this));
  }

  @Override
  public void register(AutoCloseable resource) {
    resources.push(resource);
  }

  @Override
  public void serving(SshdContainer server) {
    container = Optional.of(server);
  }

  /**
   * Checks the end-of-class proof of the master, handing its report entries to {@code publish}
   * first; nothing when the class borrows its enclosing class's master or never got one.
   *
   * @throws AssertionFailedError unless one TCP connection carried it all
   */
  void prove(BiConsumer<String, String> publish) {
    MasterLease current = lease;
    if (current != null) {
      current.prove("SSH master of " + testClass().getName(), publish);
    }
  }

  /** The plan this session was opened by. */
  ClassPlan plan() {
    return plan;
  }

  /** How the class holds its master; null until it has one. */
  MasterLease lease() {
    return lease;
  }

  /** The test class. */
  Class<?> testClass() {
    return plan.testClass();
  }

  /** The tunnel of this class with that name. */
  Optional<Forward> tunnel(String name) {
    return Optional.ofNullable(tunnels.get(name));
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
  Set<String> tunnelNames() {
    synchronized (tunnels) {
      return Set.copyOf(tunnels.keySet());
    }
  }

  /** The master of this class, once open. */
  Optional<EngineMaster> master() {
    return Optional.ofNullable(lease).map(MasterLease::master);
  }

  /**
   * What a person needs to see why a test failed: connection counts, open forwards, the end of the
   * sshd's log and of the master's own log. Keys are report-entry keys.
   */
  Map<String, String> diagnostics() {
    Map<String, String> entries = new LinkedHashMap<>();
    master()
        .ifPresent(
            master -> {
              entries.put(
                  "muxtest.connections",
                  String.format(
                      "client TCP connections: %d (%s engine)",
                      master.clientConnections(), master.engine()));
              List<Forward> forwards = master.openForwards();
              entries.put("muxtest.forwards", forwards.isEmpty() ? "none" : forwards.toString());
              String masterLog = master.logTail();
              if (!masterLog.isEmpty()) {
                entries.put("muxtest.master.log", masterLog);
              }
            });
    container
        .map(SshdContainer::recentLog)
        .filter(log -> !log.isEmpty())
        .ifPresent(
            log ->
                entries.put(
                    "muxtest.sshd.log",
                    String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size()))));
    return entries;
  }

  /** Closes tunnels, master and server (if started here), newest first. */
  @Override
  public void close() {
    resources.close();
  }
}
