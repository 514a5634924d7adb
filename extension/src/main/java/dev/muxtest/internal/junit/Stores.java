package dev.muxtest.internal.junit;

import dev.muxtest.internal.engine.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;

/**
 * Where the extension keeps what it makes: the run's settings, default server and shared masters in
 * the root store (made once, atomically, and closed when the run ends), a class's plan and session
 * in the class's store. ({@code getOrComputeIfAbsent} is deprecated in JUnit 6 but is the one
 * atomic form on every line from 5.10.)
 */
@SuppressWarnings("deprecation") // getOrComputeIfAbsent, see above
final class Stores {

  /** The extension's namespace in every store. */
  static final Namespace NAMESPACE = Namespace.create(MuxtestExtension.class);

  private Stores() {}

  /**
   * The settings of the run, read once.
   *
   * @throws ExtensionConfigurationException naming the key of a value that cannot be read
   */
  static Settings settings(ExtensionContext context) {
    return root(context)
        .getOrComputeIfAbsent(
            Settings.class,
            key -> {
              try {
                return Settings.from(context::getConfigurationParameter);
              } catch (IllegalArgumentException e) {
                throw new ExtensionConfigurationException(e.getMessage(), e);
              }
            },
            Settings.class);
  }

  /**
   * The run's default container, not started yet on first use. It sits in the root store before any
   * SUITE-scope master made with it, so the store (closing newest first) stops it after them.
   */
  static RunDefaultServer runDefaultServer(ExtensionContext context) {
    Settings settings = settings(context);
    return root(context)
        .getOrComputeIfAbsent(
            RunDefaultServer.class, key -> new RunDefaultServer(settings), RunDefaultServer.class);
  }

  /** The run's master under {@code key}, opened by {@code open} if there is none yet. */
  static SuiteMaster suiteMaster(
      ExtensionContext context, SuiteMaster.Key key, Supplier<SuiteMaster> open) {
    return root(context).getOrComputeIfAbsent(key, k -> open.get(), SuiteMaster.class);
  }

  /** The session of the closest class, from {@code context} outwards. */
  static Optional<ClassSession> nearest(ExtensionContext context) {
    return levels(context).stream().findFirst();
  }

  /** The sessions of the classes enclosing {@code context}, closest first. */
  static List<ClassSession> levels(ExtensionContext context) {
    List<ClassSession> levels = new ArrayList<>();
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      Optional<Class<?>> testClass = c.getTestClass();
      if (testClass.isPresent()) {
        ClassSession session = c.getStore(NAMESPACE).get(testClass.get(), ClassSession.class);
        if (session != null && !levels.contains(session)) {
          levels.add(session);
        }
      }
    }
    return levels;
  }

  private static Store root(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE);
  }
}
