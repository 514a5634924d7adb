package dev.muxtest;

import dev.muxtest.internal.engine.DefaultServerScope;
import dev.muxtest.internal.engine.EngineMaster;
import dev.muxtest.internal.engine.Settings;
import dev.muxtest.internal.junit.ClassOptions;
import dev.muxtest.internal.junit.ClassSession;
import dev.muxtest.internal.junit.DeclaredServer;
import dev.muxtest.internal.junit.DockerDetector;
import dev.muxtest.internal.junit.ForwardedPortValues;
import dev.muxtest.internal.junit.JUnitLine;
import dev.muxtest.internal.junit.MethodSession;
import dev.muxtest.internal.junit.RunDefaultServer;
import dev.muxtest.internal.junit.SuiteMaster;
import dev.muxtest.internal.junit.TunnelDeclarations;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Gives each test class one SSH master connection, opens its {@link SshTunnel}s over it, injects
 * {@link ForwardedPort}s and {@link SshMaster}, and proves after the class that one TCP connection
 * carried it all. Registered by the public annotations, never by users directly.
 */
final class MuxtestExtension
    implements ExecutionCondition,
        BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AfterAllCallback,
        ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(MuxtestExtension.class);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty()) {
      return ConditionEvaluationResult.enabled("decided per class");
    }
    Class<?> testClass = context.getRequiredTestClass();
    boolean skipWithoutDocker =
        AnnotationSupport.findAnnotation(testClass, SshMultiplexing.class)
            .map(SshMultiplexing::disabledWithoutDocker)
            .orElse(false);
    if (skipWithoutDocker
        && mayNeedDocker(testClass, context)
        && !DockerDetector.of(context).isDockerAvailable()) {
      return ConditionEvaluationResult.disabled(
          "Docker is not available, and @SshMultiplexing(disabledWithoutDocker = true) skips the class");
    }
    return ConditionEvaluationResult.enabled("Docker is available or required");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // Below 5.10 the store would not close what a class holds: refuse rather than leak.
    JUnitLine.requireSupported();
    Class<?> testClass = context.getRequiredTestClass();
    // Validate everything before starting anything: a typo must not cost a container start.
    var tunnels = TunnelDeclarations.declaredOn(testClass);
    DeclaredServer declared = DeclaredServer.of(testClass);
    Settings settings = settings(context);
    DefaultServerScope defaultServerScope = defaultServerScope(context);
    Optional<ClassSession> enclosing = context.getParent().flatMap(MuxtestExtension::nearest);
    ClassOptions options =
        ClassOptions.of(testClass, enclosing.flatMap(ClassSession::options), settings);

    if (needsDocker(declared, enclosing.isPresent(), settings)
        && !DockerDetector.of(context).isDockerAvailable()) {
      String instead =
          declared instanceof DeclaredServer.None
              ? "set muxtest.defaultServer=embedded"
              : "declare an EmbeddedSshServer as its @SshServer";
      throw new SshOperationException(
          "muxtest: "
              + testClass.getName()
              + " needs a Docker environment for its SSH "
              + "server, and none is available (Testcontainers found none). Start Docker, "
              + instead
              + " to use an SSH server in the test JVM instead, or skip such classes "
              + "with @SshMultiplexing(disabledWithoutDocker = true).");
    }

    DeclaredServer server =
        onRunDefaultServer(declared, enclosing.isPresent(), settings, defaultServerScope)
            ? runDefaultServer(context, settings, testClass)
            : declared;
    ClassSession session = new ClassSession(testClass);
    // Stored before it opens anything, so that JUnit closes whatever part of it got opened.
    context.getStore(NAMESPACE).put(testClass, session);
    session.open(
        tunnels,
        server,
        enclosing,
        options,
        settings,
        // The run's shared masters live in the root store: created once, atomically, and closed
        // when the whole run ends. (getOrComputeIfAbsent is deprecated in JUnit 6 but is the one
        // atomic form on every line from 5.10.)
        key ->
            context
                .getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                    key, k -> SuiteMaster.open(options, server, settings), SuiteMaster.class));
  }

  /**
   * Whether the class's server is a container to start: one it declares that is not running, or,
   * without a declaration or an enclosing class's server, the default server when that is a
   * container. An outside host or an embedded server needs no Docker.
   */
  private static boolean needsDocker(
      DeclaredServer declared, boolean hasEnclosingServer, Settings settings) {
    if (declared instanceof DeclaredServer.Container c) {
      return !c.container().isRunning();
    }
    return declared instanceof DeclaredServer.None
        && !hasEnclosingServer
        && settings.defaultServer() == Settings.DefaultServer.CONTAINER;
  }

  /**
   * Whether a class may need Docker, for skipping it: a class whose declaration or settings cannot
   * be read yet may, so that {@link #beforeAll} reports what is wrong with them.
   */
  private static boolean mayNeedDocker(Class<?> testClass, ExtensionContext context) {
    try {
      boolean enclosing = context.getParent().flatMap(MuxtestExtension::nearest).isPresent();
      return needsDocker(DeclaredServer.of(testClass), enclosing, settings(context));
    } catch (RuntimeException misconfigured) {
      return true;
    }
  }

  /** The settings of the run, read once and kept in the root store. */
  private static Settings settings(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            Settings.class,
            key -> Settings.from(context::getConfigurationParameter),
            Settings.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      nearest(context)
          .ifPresent(session -> session.diagnostics().forEach(context::publishReportEntry));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ClassSession session = context.getStore(NAMESPACE).get(testClass, ClassSession.class);
    if (session == null) {
      return;
    }
    if (context.getExecutionException().isPresent()) {
      session.diagnostics().forEach(context::publishReportEntry);
    }
    if (session.verifyOwnMasterProof(context::publishReportEntry)) {
      return; // the user's own master: the proof is that every session rode it
    }
    session.verifyProof(
        report ->
            context.publishReportEntry(
                "muxtest.connections",
                String.format(
                    "client TCP connections: %d, server authenticated connections: %d, key %s",
                    report.clientTcpConnections(),
                    report.serverAuthenticatedConnections(),
                    report.keyFingerprint())));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(ForwardedPort.class)
        || parameter.getParameter().getType() == SshMaster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    Optional<ForwardedPort> forwardedPort = parameter.findAnnotation(ForwardedPort.class);
    if (forwardedPort.isEmpty()) {
      if (context.getTestMethod().isPresent()
          && nearest(context).flatMap(ClassSession::master).isPresent()) {
        return methodScope(context); // its forwards end with the method
      }
      return nearest(context)
          .flatMap(ClassSession::master)
          .map(SshMaster.class::cast)
          .orElseThrow(
              () ->
                  new ParameterResolutionException(
                      "No SSH master is open for "
                          + describe(context)
                          + " yet; inject SshMaster into test or lifecycle "
                          + "methods (with @TestInstance(PER_CLASS) the constructor runs before the master opens)"));
    }
    if (type != int.class
        && type != Integer.class
        && type != InetSocketAddress.class
        && type != Proxy.class) {
      throw new ParameterResolutionException(
          "Can only resolve @ForwardedPort parameter of type int, java.lang.Integer, "
              + "java.net.InetSocketAddress or java.net.Proxy but was: "
              + type.getName());
    }
    String name = forwardedPort.get().value();
    Optional<MethodSession> scope = existingMethodScope(context);
    Optional<Forward> own = scope.flatMap(m -> m.tunnel(name));
    if (own.isPresent()) {
      return ForwardedPortValues.value(name, own.get(), type);
    }
    List<ClassSession> levels = levels(context);
    for (ClassSession level : levels) {
      Optional<Forward> tunnel = level.tunnel(name);
      if (tunnel.isPresent()) {
        return ForwardedPortValues.value(name, tunnel.get(), type);
      }
    }
    TreeSet<String> declared = new TreeSet<>();
    scope.ifPresent(m -> declared.addAll(m.tunnelNames()));
    levels.forEach(level -> declared.addAll(level.tunnelNames()));
    throw new ParameterResolutionException(
        String.format(
            "@ForwardedPort(\"%s\"): no @SshTunnel with name \"%s\" is declared on %s; declared tunnels: %s",
            name, name, describe(context), declared));
  }

  /** Opens the tunnels declared on the test method, closed after it with the method's scope. */
  @Override
  public void beforeEach(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    var tunnels = TunnelDeclarations.declaredOn(testClass, context.getRequiredTestMethod());
    if (tunnels.isEmpty()) {
      return;
    }
    if (nearest(context).flatMap(ClassSession::master).isEmpty()) {
      throw new ExtensionConfigurationException(
          String.format(
              "@SshTunnel on %s#%s(): the class has no SSH master; declare @SshMultiplexing, a class-level "
                  + "@SshTunnel or an @SshServer field on %s",
              testClass.getName(), context.getRequiredTestMethod().getName(), testClass.getName()));
    }
    methodScope(context).openTunnels(tunnels, settings(context).tunnelReadyTimeout());
  }

  /**
   * The method's view of the nearest master, made on first use and closed with the method's store.
   */
  private static MethodSession methodScope(ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            MethodSession.class,
            key ->
                new MethodSession(
                    nearest(context)
                        .flatMap(ClassSession::master)
                        .map(EngineMaster.class::cast)
                        .orElseThrow(),
                    context.getRequiredTestClass().getName()
                        + "#"
                        + context.getRequiredTestMethod().getName()
                        + "()"),
            MethodSession.class);
  }

  private static Optional<MethodSession> existingMethodScope(ExtensionContext context) {
    return context.getTestMethod().isEmpty()
        ? Optional.empty()
        : Optional.ofNullable(
            context.getStore(NAMESPACE).get(MethodSession.class, MethodSession.class));
  }

  /** The multiplex of the closest class, from {@code context} outwards. */
  private static Optional<ClassSession> nearest(ExtensionContext context) {
    List<ClassSession> levels = levels(context);
    return levels.isEmpty() ? Optional.empty() : Optional.of(levels.get(0));
  }

  /** The multiplexes of the classes enclosing {@code context}, closest first. */
  private static List<ClassSession> levels(ExtensionContext context) {
    List<ClassSession> levels = new ArrayList<>();
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      Optional<Class<?>> testClass = c.getTestClass();
      if (testClass.isPresent()) {
        ClassSession multiplex = c.getStore(NAMESPACE).get(testClass.get(), ClassSession.class);
        if (multiplex != null && !levels.contains(multiplex)) {
          levels.add(multiplex);
        }
      }
    }
    return levels;
  }

  private static String describe(ExtensionContext context) {
    return context.getTestClass().map(Class::getName).orElse(context.getDisplayName());
  }

  // --- the run's default server (issue 14) ---

  /**
   * Whether the class's server is the run's shared default container: it declares none, has no
   * enclosing class's server, and the default server is a container of run scope.
   */
  private static boolean onRunDefaultServer(
      DeclaredServer declared,
      boolean hasEnclosingServer,
      Settings settings,
      DefaultServerScope scope) {
    return declared instanceof DeclaredServer.None
        && !hasEnclosingServer
        && settings.defaultServer() == Settings.DefaultServer.CONTAINER
        && scope == DefaultServerScope.RUN;
  }

  /**
   * The run's default container, started on first use, as a running container the class names: the
   * extension then neither starts nor stops it for the class. It sits in the root store before any
   * SUITE-scope master made with it, so the store (closing newest first) stops it after them.
   */
  private static DeclaredServer runDefaultServer(
      ExtensionContext context, Settings settings, Class<?> testClass) {
    RunDefaultServer shared =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                RunDefaultServer.class,
                key -> new RunDefaultServer(settings),
                RunDefaultServer.class);
    return new DeclaredServer.Container(shared.container(testClass.getName()));
  }

  /** {@code muxtest.defaultServer.scope}, read once and kept in the root store. */
  private static DefaultServerScope defaultServerScope(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            DefaultServerScope.class,
            key -> DefaultServerScope.from(context::getConfigurationParameter),
            DefaultServerScope.class);
  }
}
