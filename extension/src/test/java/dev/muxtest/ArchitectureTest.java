package dev.muxtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of the code base's shape, so that the build notices when a change breaks them: file
 * size, where JUnit may be used, what the engines and the samples may see, no inline fully
 * qualified names, no per-issue sections. Runs on the compiled main classes (ArchUnit) and on the
 * sources of every module.
 */
class ArchitectureTest {

  private static final int MAX_MAIN_FILE_LINES = 350;

  /** The JUnit adapter: the only place besides the annotations that may use JUnit's API. */
  private static final String JUNIT_ADAPTER = "dev.muxtest.internal.junit..";

  /** Public API types that must name JUnit: the annotations carry {@code @ExtendWith}. */
  private static final Set<String> API_TYPES_ON_JUNIT =
      Set.of(
          "dev.muxtest.SshTunnel",
          "dev.muxtest.SshTunnels",
          "dev.muxtest.SshMultiplexing",
          "dev.muxtest.SshServer");

  /** The one public type each engine package shows the rest of the library. */
  private static final Set<String> ENGINE_ENTRY_POINTS =
      Set.of("dev.muxtest.internal.mina.MinaMaster", "dev.muxtest.internal.openssh.OpenSshMaster");

  /**
   * The public ways into the JUnit adapter: the extension the annotations name, the open classes'
   * ports for {@code ForwardedPorts}, and the per-method master (which the extension's own tests
   * look into).
   */
  private static final Set<String> JUNIT_ADAPTER_ENTRY_POINTS =
      Set.of(
          "dev.muxtest.internal.junit.MuxtestExtension",
          "dev.muxtest.internal.junit.OpenClasses",
          "dev.muxtest.internal.junit.MethodSession");

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** A dotted name that ends in a type (lower-case segments, then an upper-case one). */
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile(
          "(?<![\\w.@])(?:java|javax|jdk|sun|com|org|net|io|dev)\\.(?:[a-z_][a-z0-9_]*\\.)+[A-Z]\\w*");

  private static final Pattern ISSUE_BANNER =
      Pattern.compile("//\\s*-{2,}.*|//.*\\(issue \\d+\\)", Pattern.CASE_INSENSITIVE);

  private static JavaClasses mainClasses;

  @BeforeAll
  static void importMainClasses() {
    mainClasses =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.muxtest");
    assertThat(mainClasses).as("main classes of dev.muxtest").hasSizeGreaterThan(50);
  }

  @Test
  void noMainSourceFileIsLongerThan350Lines() {
    List<String> tooLong = new ArrayList<>();
    for (Path file : javaFiles("extension/src/main/java", "benchmarks/src/main/java")) {
      long lines = lines(file).size();
      if (lines > MAX_MAIN_FILE_LINES) {
        tooLong.add(ROOT.relativize(file) + ": " + lines + " lines");
      }
    }
    assertThat(tooLong).as("main source files over %d lines", MAX_MAIN_FILE_LINES).isEmpty();
  }

  @Test
  void junitIsUsedOnlyByTheAdapterAndTheAnnotations() {
    noClasses()
        .that()
        .resideOutsideOfPackage(JUNIT_ADAPTER)
        .and(
            DescribedPredicate.describe(
                "are not annotations of the API", c -> !API_TYPES_ON_JUNIT.contains(c.getName())))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.junit..")
        .because("only the JUnit adapter speaks JUnit; below it, errors are library exceptions")
        .check(mainClasses);
  }

  @Test
  void enginesDoNotSeeEachOther() {
    noClasses()
        .that()
        .resideInAPackage("dev.muxtest.internal.mina..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.muxtest.internal.openssh..")
        .check(mainClasses);
    noClasses()
        .that()
        .resideInAPackage("dev.muxtest.internal.openssh..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.muxtest.internal.mina..")
        .check(mainClasses);
  }

  @Test
  void eachEnginePackageShowsOnlyItsEntryPoint() {
    onlyEntryPointsArePublic("dev.muxtest.internal.mina", ENGINE_ENTRY_POINTS);
    onlyEntryPointsArePublic("dev.muxtest.internal.openssh", ENGINE_ENTRY_POINTS);
  }

  private static void onlyEntryPointsArePublic(String packageName, Set<String> entryPoints) {
    classes()
        .that()
        .resideInAPackage(packageName)
        .and()
        .areTopLevelClasses()
        .and()
        .arePublic()
        .should(
            new ArchCondition<>("be an entry point of the package") {
              @Override
              public void check(JavaClass type, ConditionEvents events) {
                if (!entryPoints.contains(type.getName())) {
                  events.add(SimpleConditionEvent.violated(type, type.getName() + " is public"));
                }
              }
            })
        .allowEmptyShould(true)
        .check(mainClasses);
  }

  @Test
  void theJUnitAdapterShowsOnlyItsEntryPoints() {
    onlyEntryPointsArePublic("dev.muxtest.internal.junit", JUNIT_ADAPTER_ENTRY_POINTS);
  }

  @Test
  void samplesAndBenchmarksUseThePublicApiOnly() {
    List<String> offending = new ArrayList<>();
    for (Path file :
        javaFiles("benchmarks/src", "sample-tests/src", "sample-spring-boot/src", "examples")) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains("dev.muxtest.internal")) {
          offending.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    assertThat(offending).as("uses of dev.muxtest.internal outside the library").isEmpty();
  }

  @Test
  void mainCodeNamesTypesByImportNotInline() {
    List<String> inline = new ArrayList<>();
    for (Path file : javaFiles("extension/src/main/java", "benchmarks/src/main/java")) {
      List<String> lines = codeOnly(lines(file));
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.startsWith("import ") || line.startsWith("package ")) {
          continue;
        }
        Matcher m = QUALIFIED_NAME.matcher(line);
        if (m.find()) {
          inline.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + m.group());
        }
      }
    }
    assertThat(inline).as("inline fully qualified names in main code").isEmpty();
  }

  @Test
  void noSectionsNamedAfterIssues() {
    List<String> banners = new ArrayList<>();
    for (Path file : javaFiles("extension/src/main/java", "benchmarks/src/main/java")) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (ISSUE_BANNER.matcher(lines.get(i)).find()) {
          banners.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    assertThat(banners)
        .as("'// --- feature ---' sections: a capability is a collaborator, not a section")
        .isEmpty();
  }

  /**
   * The lines with comments and the contents of string and character literals blanked, so that a
   * name in Javadoc or in a message is not taken for code. Line numbers are kept.
   */
  static List<String> codeOnly(List<String> lines) {
    List<String> code = new ArrayList<>(lines.size());
    boolean inBlockComment = false;
    boolean inTextBlock = false;
    for (String line : lines) {
      StringBuilder out = new StringBuilder();
      int i = 0;
      while (i < line.length()) {
        if (inBlockComment) {
          int end = line.indexOf("*/", i);
          if (end < 0) {
            i = line.length();
          } else {
            inBlockComment = false;
            i = end + 2;
          }
        } else if (inTextBlock) {
          int end = line.indexOf("\"\"\"", i);
          if (end < 0) {
            i = line.length();
          } else {
            inTextBlock = false;
            i = end + 3;
          }
        } else if (line.startsWith("/*", i)) {
          inBlockComment = true;
          i += 2;
        } else if (line.startsWith("//", i)) {
          i = line.length();
        } else if (line.startsWith("\"\"\"", i)) {
          inTextBlock = true;
          i += 3;
        } else if (line.charAt(i) == '"' || line.charAt(i) == '\'') {
          i = endOfLiteral(line, i);
          out.append("\"\"");
        } else {
          out.append(line.charAt(i));
          i++;
        }
      }
      code.add(out.toString().strip());
    }
    return code;
  }

  private static int endOfLiteral(String line, int start) {
    char quote = line.charAt(start);
    int i = start + 1;
    while (i < line.length() && line.charAt(i) != quote) {
      i += line.charAt(i) == '\\' ? 2 : 1;
    }
    return i + 1;
  }

  private static List<Path> javaFiles(String... roots) {
    List<Path> files = new ArrayList<>();
    for (String root : roots) {
      Path dir = ROOT.resolve(root);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertThat(files).as("Java files under %s", List.of(roots)).isNotEmpty();
    return files;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
