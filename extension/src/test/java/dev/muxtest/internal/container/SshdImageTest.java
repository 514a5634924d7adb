package dev.muxtest.internal.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.github.dockerjava.api.command.InspectImageResponse;
import dev.muxtest.SshdContainer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * The sshd image's tag follows its base image: the same files on another base image ID get another
 * tag (so a refreshed base, with Debian's security fixes, gets a fresh build), and the image in use
 * is tagged with, and built on, the local base image's ID.
 */
class SshdImageTest {

  private static final String BASE = "muxtest/debian-base:bookworm";

  @Test
  void theSameFilesOnAnotherBaseImageIdGetAnotherTag() {
    String before = SshdImage.tag(BASE, Optional.of("sha256:" + "1".repeat(64)));
    String after = SshdImage.tag(BASE, Optional.of("sha256:" + "2".repeat(64)));

    assertThat(before).startsWith(SshdImage.REPOSITORY + ":").isNotEqualTo(after);
    assertThat(SshdImage.tag(BASE, Optional.of("sha256:" + "1".repeat(64)))).isEqualTo(before);
    assertThat(SshdImage.tag(BASE, Optional.empty())).isNotIn(before, after);
    assertThat(SshdImage.tag("debian:bookworm-slim", Optional.of("sha256:" + "1".repeat(64))))
        .isNotEqualTo(before);
  }

  @Test
  void theImageInUseIsTaggedWithAndBuiltOnTheLocalBaseImage() throws Exception {
    String base = SshdContainer.configuredBaseImage();
    InspectImageResponse baseImage = inspect(base);
    assumeThat(baseImage).as("base image %s on this Docker engine", base).isNotNull();

    String tag = SshdImage.on(base).get(10, TimeUnit.MINUTES);

    assertThat(tag)
        .isEqualTo(SshdImage.tagFor(base))
        .isEqualTo(SshdImage.tag(base, Optional.of(baseImage.getId())));
    // Built FROM that very base: its layers come first.
    assertThat(inspect(tag).getRootFS().getLayers())
        .startsWith(baseImage.getRootFS().getLayers().toArray(String[]::new));
  }

  @Test
  void aBaseImageDockerCannotInspectIsHashedByNameAlone() {
    // Docker refuses the reference itself, so nothing is pulled from anywhere.
    String invalid = "Not A Valid Reference!";

    assertThat(SshdImage.baseImageId(invalid)).isEmpty();
    assertThat(SshdImage.tagFor(invalid)).isEqualTo(SshdImage.tag(invalid, Optional.empty()));
  }

  private static InspectImageResponse inspect(String image) {
    try {
      return DockerClientFactory.instance().client().inspectImageCmd(image).exec();
    } catch (com.github.dockerjava.api.exception.NotFoundException e) {
      return null;
    }
  }
}
