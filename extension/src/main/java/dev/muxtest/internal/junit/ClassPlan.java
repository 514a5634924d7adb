package dev.muxtest.internal.junit;

import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.DefaultServer;
import dev.muxtest.internal.engine.DefaultServerScope;
import dev.muxtest.internal.engine.Settings;
import dev.muxtest.internal.engine.TunnelSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test class asks for, resolved once before anything starts and kept in the class's store:
 * its tunnels, its server, its master's options and the run's settings. The execution condition and
 * {@code beforeAll} share it; a misconfiguration fails here, before a container starts.
 *
 * @param testClass the test class
 * @param tunnels the tunnels declared on it and its superclasses
 * @param server which server its master connects to
 * @param options how its master is opened and how long it lives
 * @param settings the run's settings
 */
record ClassPlan(
    Class<?> testClass,
    List<TunnelSpec> tunnels,
    ServerChoice server,
    ClassOptions options,
    Settings settings) {

  /**
   * The plan of the class of {@code context}, resolved on first use.
   *
   * @throws ExtensionConfigurationException naming what is wrong with the class's declarations or
   *     the run's settings
   */
  @SuppressWarnings("deprecation") // getOrComputeIfAbsent: see Stores
  static ClassPlan of(ExtensionContext context) {
    // Keyed by class: a Nested class's store would find its enclosing class's plan by type.
    return context
        .getStore(Stores.NAMESPACE)
        .getOrComputeIfAbsent(
            new Key(context.getRequiredTestClass()), key -> resolve(context), ClassPlan.class);
  }

  private record Key(Class<?> testClass) {}

  /**
   * Whether the class may need Docker, for skipping it. When the plan cannot be made, its server is
   * judged alone (a class that may need Docker, or whose server cannot be read, may), so that a
   * class running without Docker still has {@code beforeAll} report what is wrong.
   */
  static boolean mayNeedDocker(ExtensionContext context) {
    try {
      return of(context).server().needsDocker();
    } catch (RuntimeException misconfigured) {
      try {
        return determineServer(
                context,
                DeclaredServer.of(context.getRequiredTestClass()),
                context.getParent().flatMap(Stores::nearest).isPresent(),
                Stores.settings(context))
            .needsDocker();
      } catch (RuntimeException unreadable) {
        return true;
      }
    }
  }

  private static ClassPlan resolve(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    List<TunnelSpec> tunnels = TunnelDeclarations.declaredOn(testClass);
    ForwardedPortNames.check(testClass);
    Optional<DeclaredServer> declared = DeclaredServer.of(testClass);
    Settings settings = Stores.settings(context);
    Optional<ClassPlan> enclosing =
        context.getParent().flatMap(Stores::nearest).map(ClassSession::plan);
    ClassOptions options = ClassOptions.of(testClass, enclosing.map(ClassPlan::options), settings);
    return new ClassPlan(
        testClass,
        tunnels,
        determineServer(context, declared, enclosing.isPresent(), settings),
        options,
        settings);
  }

  /**
   * The declared server, else the enclosing class's, else the default server: the run's container
   * or one of the class's own, as {@code muxtest.defaultServer} and its scope say.
   */
  private static ServerChoice determineServer(
      ExtensionContext context,
      Optional<DeclaredServer> declared,
      boolean enclosed,
      Settings settings) {
    if (declared.isPresent()) {
      return new ServerChoice.Declared(declared.get());
    }
    if (enclosed) {
      return new ServerChoice.Enclosing();
    }
    if (settings.defaultServer() == DefaultServer.CONTAINER
        && settings.defaultServerScope() == DefaultServerScope.RUN) {
      String user = context.getRequiredTestClass().getName();
      return new ServerChoice.RunDefault(() -> Stores.runDefaultServer(context).container(user));
    }
    return new ServerChoice.ClassDefault(settings.defaultServer());
  }

  /** The failure of a class whose server needs Docker where there is none. */
  SshOperationException withoutDocker() {
    String instead =
        server instanceof ServerChoice.Declared
            ? "declare an EmbeddedSshServer as its @SshServer"
            : "set muxtest.defaultServer=embedded";
    return new SshOperationException(
        "muxtest: "
            + testClass.getName()
            + " needs a Docker environment for its SSH "
            + "server, and none is available (Testcontainers found none). Start Docker, "
            + instead
            + " to use an SSH server in the test JVM instead, or skip such classes "
            + "with @SshMultiplexing(disabledWithoutDocker = true).");
  }
}
