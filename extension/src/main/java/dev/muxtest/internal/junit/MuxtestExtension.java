package dev.muxtest.internal.junit;

import dev.muxtest.Forward;
import dev.muxtest.ForwardedPort;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshTunnel;
import dev.muxtest.internal.engine.TunnelSpec;
import java.net.InetSocketAddress;
import java.net.Proxy;
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
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Gives each test class one SSH master connection, opens its {@link SshTunnel}s over it, injects
 * {@link ForwardedPort}s and {@link SshMaster}, and proves after the class that one TCP connection
 * carried it all. Registered by the public annotations, never by users directly.
 *
 * <p>Per class: find its declarations and settings ({@link ClassPlan}, resolved once), open its
 * {@link ClassSession}, inject from it, and let the class's store close it.
 */
public final class MuxtestExtension
    implements ExecutionCondition,
        BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AfterAllCallback,
        ParameterResolver {

  /** Made by JUnit, through the {@code @ExtendWith} of the public annotations. */
  public MuxtestExtension() {}

  /** Skips a class that asks to be skipped without Docker and would need it. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty()) {
      return ConditionEvaluationResult.enabled("decided per class");
    }
    boolean skipWithoutDocker =
        AnnotationSupport.findAnnotation(context.getRequiredTestClass(), SshMultiplexing.class)
            .map(SshMultiplexing::disabledWithoutDocker)
            .orElse(false);
    if (skipWithoutDocker
        && ClassPlan.mayNeedDocker(context)
        && !DockerDetector.of(context).isDockerAvailable()) {
      return ConditionEvaluationResult.disabled(
          "Docker is not available, and @SshMultiplexing(disabledWithoutDocker = true) skips the class");
    }
    return ConditionEvaluationResult.enabled("Docker is available or required");
  }

  /** Opens the class's master and tunnels, as its plan says. */
  @Override
  public void beforeAll(ExtensionContext context) {
    // Below 5.10 the store would not close what a class holds: refuse rather than leak.
    JUnitLine.requireSupported();
    // Validates everything before starting anything: a typo must not cost a container start.
    ClassPlan plan = ClassPlan.of(context);
    if (plan.server().needsDocker() && !DockerDetector.of(context).isDockerAvailable()) {
      throw plan.withoutDocker();
    }
    ClassSession session = new ClassSession(plan, context.getParent().flatMap(Stores::nearest));
    // Stored before it opens anything, so that JUnit closes whatever part of it got opened.
    context.getStore(Stores.NAMESPACE).put(plan.testClass(), session);
    try {
      session.open((key, open) -> Stores.suiteMaster(context, key, open));
    } catch (IllegalArgumentException misconfigured) {
      // Below the adapter a bad setting is an IllegalArgumentException (the OpenSSH control
      // directory, for one): here it is the run's configuration at fault, so JUnit is told so.
      throw new ExtensionConfigurationException(misconfigured.getMessage(), misconfigured);
    }
  }

  /** Opens the tunnels declared on the test method, closed after it with the method's scope. */
  @Override
  public void beforeEach(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    List<TunnelSpec> tunnels =
        TunnelDeclarations.declaredOn(testClass, context.getRequiredTestMethod());
    if (tunnels.isEmpty()) {
      return;
    }
    if (Stores.nearest(context).flatMap(ClassSession::master).isEmpty()) {
      throw new ExtensionConfigurationException(
          String.format(
              "@SshTunnel on %s#%s(): the class has no SSH master; declare @SshMultiplexing, a class-level "
                  + "@SshTunnel or an @SshServer field on %s",
              testClass.getName(), context.getRequiredTestMethod().getName(), testClass.getName()));
    }
    methodScope(context).openTunnels(tunnels, Stores.settings(context).tunnelReadyTimeout());
  }

  /** After a failed test: what a person needs to see why. */
  @Override
  public void afterEach(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      Stores.nearest(context)
          .ifPresent(session -> session.diagnostics().forEach(context::publishReportEntry));
    }
  }

  /** Proves the class's master; the class's store then closes its session. */
  @Override
  public void afterAll(ExtensionContext context) {
    ClassSession session =
        context.getStore(Stores.NAMESPACE).get(context.getRequiredTestClass(), ClassSession.class);
    if (session == null) {
      return;
    }
    if (context.getExecutionException().isPresent()) {
      session.diagnostics().forEach(context::publishReportEntry);
    }
    session.prove(context::publishReportEntry);
  }

  /** A {@link ForwardedPort} parameter, or an {@link SshMaster}. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(ForwardedPort.class)
        || parameter.getParameter().getType() == SshMaster.class;
  }

  /**
   * The method's view of the master, or the listening end of a tunnel, closest declaration first.
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Optional<ForwardedPort> forwardedPort = parameter.findAnnotation(ForwardedPort.class);
    if (forwardedPort.isEmpty()) {
      return master(context);
    }
    Class<?> type = parameter.getParameter().getType();
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
    List<ClassSession> levels = Stores.levels(context);
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

  /**
   * In a test method, the method's view of the master (its forwards end with it); else the master.
   */
  private static SshMaster master(ExtensionContext context) {
    boolean open = Stores.nearest(context).flatMap(ClassSession::master).isPresent();
    if (open && context.getTestMethod().isPresent()) {
      return methodScope(context);
    }
    return Stores.nearest(context)
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

  /**
   * The method's view of the nearest master, made on first use and closed with the method's store.
   */
  @SuppressWarnings("deprecation") // getOrComputeIfAbsent: see Stores
  private static MethodSession methodScope(ExtensionContext context) {
    return context
        .getStore(Stores.NAMESPACE)
        .getOrComputeIfAbsent(
            MethodSession.class,
            key ->
                new MethodSession(
                    Stores.nearest(context).flatMap(ClassSession::master).orElseThrow(),
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
            context.getStore(Stores.NAMESPACE).get(MethodSession.class, MethodSession.class));
  }

  private static String describe(ExtensionContext context) {
    return context.getTestClass().map(Class::getName).orElse(context.getDisplayName());
  }
}
