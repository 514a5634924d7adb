package dev.muxtest;

import dev.muxtest.internal.ClassMultiplex;
import dev.muxtest.internal.EngineChoice;
import dev.muxtest.internal.MethodScope;
import dev.muxtest.internal.ServerDeclaration;
import dev.muxtest.internal.Settings;
import dev.muxtest.internal.SharedMaster;
import dev.muxtest.internal.TunnelDeclarations;
import dev.muxtest.internal.ForwardedPorts;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.testcontainers.DockerClientFactory;

/**
 * Gives each test class one SSH master connection, opens its {@link SshTunnel}s over it, injects
 * {@link ForwardedPort}s and {@link SshMaster}, and proves after the class that one TCP
 * connection carried it all. Registered by the public annotations, never by users directly.
 */
final class MuxtestExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback,
    AfterEachCallback, AfterAllCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(MuxtestExtension.class);

  /** Whether a Docker environment answers; a seam that tests replace. */
  static volatile BooleanSupplier dockerAvailable = () -> DockerClientFactory.instance().isDockerAvailable();

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty()) {
      return ConditionEvaluationResult.enabled("decided per class");
    }
    boolean skipWithoutDocker = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), SshMultiplexing.class)
        .map(SshMultiplexing::disabledWithoutDocker).orElse(false);
    if (skipWithoutDocker && !dockerAvailable.getAsBoolean()) {
      return ConditionEvaluationResult.disabled(
          "Docker is not available, and @SshMultiplexing(disabledWithoutDocker = true) skips the class");
    }
    return ConditionEvaluationResult.enabled("Docker is available or required");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    // Validate everything before starting anything: a typo must not cost a container start.
    var tunnels = TunnelDeclarations.declaredOn(testClass);
    var declaredServer = ServerDeclaration.declaredOn(testClass);
    var declaredHost = ServerDeclaration.declaredHostOn(testClass);
    Settings settings = Settings.from(context::getConfigurationParameter);
    Optional<ClassMultiplex> enclosing = context.getParent().flatMap(MuxtestExtension::nearest);
    EngineChoice engine = EngineChoice.of(testClass, enclosing.flatMap(ClassMultiplex::engineChoice), settings);

    boolean needsDocker = declaredHost.isEmpty()
        && !(declaredServer.isPresent() ? declaredServer.get().isRunning() : enclosing.isPresent());
    if (needsDocker && !dockerAvailable.getAsBoolean()) {
      throw new SshOperationException("muxtest: " + testClass.getName() + " needs a Docker environment for its SSH "
          + "server, and none is available (Testcontainers found none). Start Docker, or skip such classes "
          + "with @SshMultiplexing(disabledWithoutDocker = true).");
    }

    ClassMultiplex multiplex = new ClassMultiplex(testClass);
    // Stored before it opens anything, so the engine closes whatever part of it got opened.
    context.getStore(NAMESPACE).put(testClass, multiplex);
    if (declaredHost.isPresent()) {
      multiplex.openOn(declaredHost.get(), tunnels, engine, settings);
    } else {
      multiplex.open(tunnels, declaredServer, enclosing, engine, settings,
          // The run's shared masters live in the root store: created once, atomically, and closed
          // when the whole run ends.
          key -> context.getRoot().getStore(NAMESPACE)
              .getOrComputeIfAbsent(key, k -> SharedMaster.open(k, settings), SharedMaster.class));
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      nearest(context).ifPresent(multiplex -> multiplex.diagnostics().forEach(context::publishReportEntry));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ClassMultiplex multiplex = context.getStore(NAMESPACE).get(testClass, ClassMultiplex.class);
    if (multiplex == null) {
      return;
    }
    if (context.getExecutionException().isPresent()) {
      multiplex.diagnostics().forEach(context::publishReportEntry);
    }
    multiplex.ownConnectionReport().ifPresent(report -> {
      context.publishReportEntry("muxtest.connections", String.format(
          "client TCP connections: %d, server authenticated connections: %d, key %s",
          report.clientTcpConnections(), report.serverAuthenticatedConnections(), report.keyFingerprint()));
      if (multiplex.serverEvidenceAvailable()) {
        ClassMultiplex.verifySingleConnection(testClass, report);
      } else {
        ClassMultiplex.verifySingleClientConnection(testClass, report);
      }
    });
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(ForwardedPort.class) || parameter.getParameter().getType() == SshMaster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    Optional<ForwardedPort> forwardedPort = parameter.findAnnotation(ForwardedPort.class);
    if (forwardedPort.isEmpty()) {
      if (context.getTestMethod().isPresent() && nearest(context).flatMap(ClassMultiplex::engineMaster).isPresent()) {
        return methodScope(context); // its forwards end with the method
      }
      return nearest(context).flatMap(ClassMultiplex::master).orElseThrow(() -> new ParameterResolutionException(
          "No SSH master is open for " + describe(context) + " yet; inject SshMaster into test or lifecycle "
              + "methods (with @TestInstance(PER_CLASS) the constructor runs before the master opens)"));
    }
    if (type != int.class && type != Integer.class && type != InetSocketAddress.class && type != Proxy.class) {
      throw new ParameterResolutionException("Can only resolve @ForwardedPort parameter of type int, java.lang.Integer, "
          + "java.net.InetSocketAddress or java.net.Proxy but was: " + type.getName());
    }
    String name = forwardedPort.get().value();
    Optional<MethodScope> scope = existingMethodScope(context);
    Optional<Forward> own = scope.flatMap(m -> m.tunnel(name));
    if (own.isPresent()) {
      return ForwardedPorts.value(name, own.get(), type);
    }
    List<ClassMultiplex> levels = levels(context);
    for (ClassMultiplex level : levels) {
      Optional<Forward> tunnel = level.tunnel(name);
      if (tunnel.isPresent()) {
        return ForwardedPorts.value(name, tunnel.get(), type);
      }
    }
    TreeSet<String> declared = new TreeSet<>();
    scope.ifPresent(m -> declared.addAll(m.tunnelNames()));
    levels.forEach(level -> declared.addAll(level.tunnelNames()));
    throw new ParameterResolutionException(String.format(
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
    if (nearest(context).flatMap(ClassMultiplex::engineMaster).isEmpty()) {
      throw new ExtensionConfigurationException(String.format(
          "@SshTunnel on %s#%s(): the class has no SSH master; declare @SshMultiplexing, a class-level "
              + "@SshTunnel or an @SshServer field on %s", testClass.getName(), context.getRequiredTestMethod().getName(),
          testClass.getName()));
    }
    methodScope(context).openTunnels(tunnels, Settings.from(context::getConfigurationParameter).tunnelReadyTimeout());
  }

  /** The method's view of the nearest master, made on first use and closed with the method's store. */
  private static MethodScope methodScope(ExtensionContext context) {
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(MethodScope.class, key -> new MethodScope(
        nearest(context).flatMap(ClassMultiplex::engineMaster).orElseThrow(),
        context.getRequiredTestClass().getName() + "#" + context.getRequiredTestMethod().getName() + "()"),
        MethodScope.class);
  }

  private static Optional<MethodScope> existingMethodScope(ExtensionContext context) {
    return context.getTestMethod().isEmpty() ? Optional.empty()
        : Optional.ofNullable(context.getStore(NAMESPACE).get(MethodScope.class, MethodScope.class));
  }

  /** The multiplex of the closest class, from {@code context} outwards. */
  private static Optional<ClassMultiplex> nearest(ExtensionContext context) {
    List<ClassMultiplex> levels = levels(context);
    return levels.isEmpty() ? Optional.empty() : Optional.of(levels.get(0));
  }

  /** The multiplexes of the classes enclosing {@code context}, closest first. */
  private static List<ClassMultiplex> levels(ExtensionContext context) {
    List<ClassMultiplex> levels = new ArrayList<>();
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      Optional<Class<?>> testClass = c.getTestClass();
      if (testClass.isPresent()) {
        ClassMultiplex multiplex = c.getStore(NAMESPACE).get(testClass.get(), ClassMultiplex.class);
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
}
