package dev.muxtest.internal.sshconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link IncludeGlob}: the files an Include pattern names, as {@code glob(3)} finds them. */
class IncludeGlobTest {

  @TempDir static Path dir;

  @BeforeAll
  static void files() throws IOException {
    for (String name :
        new String[] {
          "a/1.conf", "a/2.conf", "a/x.conf", "a/.hidden.conf", "b/1.conf", "c/notes.txt", "[x]"
        }) {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, "");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a/*.conf | a/1.conf a/2.conf a/x.conf",
        "a/[0-9].conf | a/1.conf a/2.conf",
        "a/[!0-9].conf | a/x.conf",
        "a/?.conf | a/1.conf a/2.conf a/x.conf",
        "a/.*.conf | a/.hidden.conf",
        "*/1.conf | a/1.conf b/1.conf",
        "c/*.conf | ''",
        "no-such/*.conf | ''",
        "a/1.conf | a/1.conf",
        "a/3.conf | ''",
        "\\[x] | [x]"
      })
  void aPatternNamesTheExistingFilesInSortedOrder(String pattern, String expected) {
    String found =
        String.join(
            " ",
            IncludeGlob.files(dir.resolve(pattern)).stream()
                .map(p -> dir.relativize(p).toString())
                .toList());

    assertThat(found).isEqualTo(expected);
  }
}
