package dev.muxtest.samples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java example of the README is a marked region ({@code // README:start} to {@code //
 * README:end}) of a test in this package, which the build compiles and runs: a copy of any of them
 * passes. This test fails when the README and the tests drift apart.
 */
class ReadmeExamplesTest {

  private static final Path README = Path.of("..", "README.md");
  private static final List<Path> EXAMPLES =
      List.of(
          Path.of("src/test/java/dev/muxtest/samples/readme"),
          Path.of("src/test/java/dev/muxtest/samples"),
          Path.of("../sample-spring-boot/src/test/java/dev/muxtest/samples/spring"));

  @Test
  void everyJavaBlockOfTheReadmeIsAMarkedRegionOfATest() throws IOException {
    List<String> regions = new ArrayList<>();
    for (Path directory : EXAMPLES) {
      try (Stream<Path> files = Files.list(directory)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          regions.addAll(markedRegions(Files.readAllLines(file)));
        }
      }
    }
    List<String> blocks = javaBlocks(Files.readAllLines(README));

    assertThat(blocks).as("Java blocks of README.md").isNotEmpty();
    assertThat(regions).as("regions marked in the README examples").containsAll(blocks);
    assertThat(blocks).as("README.md's Java blocks").containsAll(regions);
  }

  private static List<String> markedRegions(List<String> lines) {
    List<String> regions = new ArrayList<>();
    List<String> current = null;
    for (String line : lines) {
      if (line.strip().equals("// README:start")) {
        current = new ArrayList<>();
      } else if (line.strip().equals("// README:end")) {
        regions.add(normalized(current));
        current = null;
      } else if (current != null) {
        current.add(line);
      }
    }
    return regions;
  }

  private static List<String> javaBlocks(List<String> lines) {
    List<String> blocks = new ArrayList<>();
    List<String> current = null;
    for (String line : lines) {
      if (current == null && line.strip().equals("```java")) {
        current = new ArrayList<>();
      } else if (current != null && line.strip().equals("```")) {
        blocks.add(normalized(current));
        current = null;
      } else if (current != null) {
        current.add(line);
      }
    }
    return blocks;
  }

  /** Lines without their common indentation, trailing blanks and blank lines at either end. */
  private static String normalized(List<String> lines) {
    int indent =
        lines.stream()
            .filter(line -> !line.isBlank())
            .mapToInt(line -> line.length() - line.stripLeading().length())
            .min()
            .orElse(0);
    return String.join(
            "\n",
            lines.stream()
                .map(line -> line.isBlank() ? "" : line.substring(indent).stripTrailing())
                .toList())
        .strip();
  }
}
