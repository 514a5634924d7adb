package dev.muxtest.samples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.ExecResult;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SshMultiplexing
class FilesTest {

  // README:start
  @Test
  void importsTheFixture(SshMaster master, @TempDir Path dir) throws IOException {
    master.upload(Path.of("src/test/resources/orders.csv"), "/tmp/orders.csv");
    // Your importer here; this one writes how many lines it read to its log.
    assertThat(master.exec("wc -l < /tmp/orders.csv > /tmp/import.log").exitCode()).isZero();

    Path log = dir.resolve("import.log");
    master.download("/tmp/import.log", log, Duration.ofMinutes(2));
    assertThat(Files.readString(log)).isEqualTo("3\n");
  }

  // README:end

  @Test
  void readsBinaryOutput(SshMaster master) {
    // README:start
    ExecResult result = master.exec("head -c 16 /dev/urandom; printf '\\377' >&2");
    byte[] random = result.stdoutBytes(); // 16 bytes, as sent
    byte[] err = result.stderrBytes(); // {(byte) 0xff}; result.stderr() is "\uFFFD"
    // README:end
    assertThat(random).hasSize(16);
    assertThat(err).containsExactly((byte) 0xff);
    assertThat(result.stderr()).isEqualTo("\uFFFD");
  }
}
