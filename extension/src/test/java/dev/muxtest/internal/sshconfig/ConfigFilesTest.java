package dev.muxtest.internal.sshconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfigFiles}: a resolution reads each file once, however many hops look it up. */
class ConfigFilesTest {

  @TempDir Path dir;

  @Test
  void aChainOfHopsReadsTheConfigAndItsIncludeOnceEach() throws IOException {
    Files.writeString(
        dir.resolve("common.conf"),
        "Host *\n  IdentityFile " + dir.resolve("id") + "\n  UserKnownHostsFile /dev/null\n");
    StringBuilder config = new StringBuilder("Include common.conf\n");
    for (int i = 0; i < 5; i++) {
      config.append("Host h").append(i).append("\n  ProxyJump h").append(i + 1).append('\n');
    }
    Path file = Files.writeString(dir.resolve("config"), config);
    ConfigFiles files = new ConfigFiles();

    ResolvedHost resolved = SshConfigResolver.forFile(file).resolve("h0", files);

    assertThat(resolved.jumpHost()).isPresent();
    assertThat(files.reads()).isEqualTo(2);
  }
}
