package dev.muxtest.bench.suite;

import dev.muxtest.SshdContainer;
import dev.muxtest.bench.RunPlan;
import dev.muxtest.bench.report.Results;
import java.util.List;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * What the first use on a machine costs: the sshd image built from the files the library jar
 * carries, without the build cache, on the base image the machine already has. Reported in the
 * run's observations, not a figure: it has no baseline and no target. Only in the full run, since
 * it installs Debian's packages from the network (about a minute).
 */
public final class ImageBuildTime implements Benchmark {

  private static final String RESOURCE_DIR = "dev/muxtest/sshd/";

  private final RunPlan plan;

  /** Measures in {@code plan}'s full mode only. */
  public ImageBuildTime(RunPlan plan) {
    this.plan = plan;
  }

  @Override
  public String name() {
    return "sshd image build (first use)";
  }

  @Override
  public List<String> figureIds() {
    return List.of();
  }

  @Override
  public void run(Results results) {
    if (!plan.mode().equals("full")) {
      results.note("sshdImageBuildSeconds", "not measured in the " + plan.mode() + " run");
      return;
    }
    // A throwaway tag, deleted afterwards: the library's own image stays as it is.
    String tag = "muxtest/sshd-buildtime:" + UUID.randomUUID().toString().substring(0, 8);
    ImageFromDockerfile image =
        new ImageFromDockerfile(tag, false)
            .withBuildArg("BASE_IMAGE", SshdContainer.configuredBaseImage())
            .withBuildImageCmdModifier(cmd -> cmd.withNoCache(true));
    for (String file : List.of("Dockerfile", "sshd_config", "entrypoint.sh")) {
      image.withFileFromClasspath(file, RESOURCE_DIR + file);
    }
    long start = System.nanoTime();
    try {
      image.get();
      double seconds = (System.nanoTime() - start) / 1e9;
      results.note("sshdImageBuildSeconds", Math.round(seconds * 10) / 10.0);
    } catch (Exception e) {
      results.note("sshdImageBuildSeconds", "failed: " + e.getMessage());
    } finally {
      try {
        DockerClientFactory.instance().client().removeImageCmd(tag).withForce(true).exec();
      } catch (RuntimeException e) {
        // Never built, or already gone.
      }
    }
  }
}
