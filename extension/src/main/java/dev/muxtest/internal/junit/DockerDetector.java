package dev.muxtest.internal.junit;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.ReflectionSupport;
import org.testcontainers.DockerClientFactory;

/**
 * Whether a Docker environment answers, asked once per run (as Testcontainers' own {@code
 * DockerAvailableDetector}). The configuration parameter {@value #DETECTOR} may name a class
 * implementing {@link BooleanSupplier} to answer instead: this project's tests use it to play a
 * machine without Docker; it is not meant for users.
 */
final class DockerDetector {

  /**
   * Configuration parameter: a {@link BooleanSupplier} class that answers instead of
   * Testcontainers.
   */
  static final String DETECTOR = "muxtest.internal.dockerDetector";

  private final BooleanSupplier probe;
  private volatile Boolean available;

  private DockerDetector(BooleanSupplier probe) {
    this.probe = probe;
  }

  /** The detector of the run, from its root store. */
  static DockerDetector of(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(DockerDetector.class))
        .getOrComputeIfAbsent(
            DockerDetector.class,
            key -> create(context.getConfigurationParameter(DETECTOR)),
            DockerDetector.class);
  }

  private static DockerDetector create(Optional<String> detectorClass) {
    if (detectorClass.isEmpty()) {
      return new DockerDetector(() -> DockerClientFactory.instance().isDockerAvailable());
    }
    try {
      Class<?> type =
          Class.forName(
              detectorClass.get().strip(), true, Thread.currentThread().getContextClassLoader());
      return new DockerDetector((BooleanSupplier) ReflectionSupport.newInstance(type));
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new ExtensionConfigurationException(
          "Configuration parameter '"
              + DETECTOR
              + "' must name a class "
              + "implementing java.util.function.BooleanSupplier with a no-argument constructor, but was '"
              + detectorClass.get()
              + "'",
          e);
    }
  }

  /** Whether Docker is available; asked once, then remembered. */
  boolean isDockerAvailable() {
    Boolean known = available;
    if (known == null) {
      known = probe.getAsBoolean();
      available = known;
    }
    return known;
  }
}
