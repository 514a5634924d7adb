package dev.muxtest.internal.junit;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit Jupiter line muxtest runs on, checked against the oldest line it supports.
 *
 * <p>Why: the library is built once, on the project's default JUnit line, but runs on whatever
 * Jupiter the user's build manages (Spring Boot 3.4 manages 5.11, 3.5 manages 5.12). CI runs the
 * sample suites on every line from 5.10 up; nothing below 5.10 is tested. Rather than fail
 * somewhere obscure on an older line (a {@code NoSuchMethodError} from an API added later, or
 * resources that are never closed because that line closes fewer store values), the first muxtest
 * class fails with one message naming the version found and the version needed.
 *
 * <p>The running version is the {@code Implementation-Version} of the {@code junit-jupiter-api}
 * jar's manifest (every Jupiter jar carries it). Where a repackaged jar has lost it, the presence
 * of {@link #API_OF_THE_FLOOR}, public since 5.10, decides instead. The decision is made once per
 * class loader and cached.
 */
final class JUnitLine {

  /** The oldest supported Jupiter line, as major and minor version. */
  static final int FLOOR_MAJOR = 5;

  static final int FLOOR_MINOR = 10;
  static final String FLOOR = FLOOR_MAJOR + "." + FLOOR_MINOR;

  /** A public Jupiter API type added in 5.10: present on 5.10 and later only. */
  static final String API_OF_THE_FLOOR = "org.junit.jupiter.api.extension.AnnotatedElementContext";

  private static final Pattern MAJOR_MINOR =
      Pattern.compile("^(\\d{1,6})\\.(\\d{1,6})(?:[.\\-].*)?$");

  private JUnitLine() {}

  /**
   * Fails unless the running JUnit Jupiter is 5.10 or later.
   *
   * @throws ExtensionConfigurationException naming the version found and the one needed
   */
  static void requireSupported() {
    Cached.PROBLEM.ifPresent(
        message -> {
          throw new ExtensionConfigurationException(message);
        });
  }

  /**
   * Fails unless {@code foundVersion} (a Jupiter version such as {@code 5.11.4}; {@code null} or
   * unreadable when unknown) is 5.10 or later; an unknown version is judged by {@code
   * hasApiOfTheFloor}, whether the 5.10 API is present.
   *
   * @throws ExtensionConfigurationException naming the version found and the one needed
   */
  static void requireSupported(String foundVersion, boolean hasApiOfTheFloor) {
    problem(foundVersion, hasApiOfTheFloor)
        .ifPresent(
            message -> {
              throw new ExtensionConfigurationException(message);
            });
  }

  /** The message to fail with, if {@code foundVersion} is below the floor. */
  static Optional<String> problem(String foundVersion, boolean hasApiOfTheFloor) {
    String version = foundVersion == null ? "" : foundVersion.strip();
    Matcher m = MAJOR_MINOR.matcher(version);
    if (!m.matches()) {
      return hasApiOfTheFloor
          ? Optional.empty()
          : Optional.of(
              message(
                  "an older one (its junit-jupiter-api jar "
                      + (version.isEmpty()
                          ? "names no version"
                          : "names version \"" + version + "\"")
                      + ")"));
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    boolean supported = major > FLOOR_MAJOR || (major == FLOOR_MAJOR && minor >= FLOOR_MINOR);
    return supported ? Optional.empty() : Optional.of(message(version));
  }

  private static String message(String found) {
    return "muxtest needs JUnit Jupiter "
        + FLOOR
        + " or later, but found "
        + found
        + " on the test class path; "
        + "upgrade JUnit, for example by importing org.junit:junit-bom "
        + FLOOR
        + ".0 or later.";
  }

  /** The running Jupiter's version as its jar's manifest gives it, or {@code null}. */
  static String runningVersion() {
    Package jupiterApi = ExtensionContext.class.getPackage();
    return jupiterApi == null ? null : jupiterApi.getImplementationVersion();
  }

  static boolean runningHasApiOfTheFloor() {
    try {
      Class.forName(API_OF_THE_FLOOR, false, ExtensionContext.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Decided on first use, once: initialising a class is thread-safe and happens once. */
  private static final class Cached {
    static final Optional<String> PROBLEM = problem(runningVersion(), runningHasApiOfTheFloor());
  }
}
