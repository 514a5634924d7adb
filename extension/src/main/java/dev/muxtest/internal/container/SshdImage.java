package dev.muxtest.internal.container;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.LazyFuture;

/**
 * The sshd image, built from the files of docker/sshd that the library jar carries.
 *
 * <p>The tag is derived from those files, the base image's name and the base image's ID, so an
 * image is built once per machine and reused by every later class and run until the files or the
 * base image change: a newer base image (for example after {@code docker pull debian:bookworm-slim}
 * brings Debian's security fixes) gets an image of its own, built without the old build cache.
 */
public final class SshdImage {

  /** Repository part of the image's tag. */
  public static final String REPOSITORY = "muxtest/sshd";

  private static final System.Logger LOG = System.getLogger(SshdImage.class.getName());
  private static final String RESOURCE_DIR = "dev/muxtest/sshd/";
  private static final List<String> FILES = List.of("Dockerfile", "sshd_config", "entrypoint.sh");
  private static final ConcurrentMap<String, Future<String>> IMAGES = new ConcurrentHashMap<>();
  private static final Duration PULL_TIMEOUT = Duration.ofMinutes(3);

  private SshdImage() {}

  /**
   * The image built on {@code baseImage}, as a future that builds it on first use if the Docker
   * engine does not have it yet.
   */
  public static Future<String> on(String baseImage) {
    // Resolved on first use, not here: a container declared in a static field must not need the
    // Docker engine before the class runs.
    return IMAGES.computeIfAbsent(
        baseImage,
        base ->
            new LazyFuture<>() {
              @Override
              protected String resolve() {
                String tag = tagFor(base);
                return existsLocally(tag) ? tag : build(tag, base);
              }
            });
  }

  /**
   * The image {@code image} builds, as a future that first builds the sshd image on {@code
   * baseImage} and passes its tag to the build as the argument {@code argument}.
   */
  public static Future<String> extendedBy(
      ImageFromDockerfile image, String argument, String baseImage) {
    return new LazyFuture<>() {
      @Override
      protected String resolve() {
        String sshd;
        try {
          sshd = on(baseImage).get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while building the sshd image", e);
        } catch (ExecutionException e) {
          throw new IllegalStateException(
              "Cannot build the sshd image that " + image.getDockerImageName() + " extends",
              e.getCause());
        }
        return image.withBuildArg(argument, sshd).get();
      }
    };
  }

  /**
   * The tag of the image on {@code baseImage} as this Docker engine has it: the base image is
   * pulled first if the engine lacks it, so that its ID is part of the tag.
   */
  public static String tagFor(String baseImage) {
    return tag(baseImage, baseImageId(baseImage));
  }

  /**
   * The tag for the image files on {@code baseImage} with that base image ID (empty when the base
   * could not be inspected: the name alone then counts).
   */
  static String tag(String baseImage, Optional<String> baseImageId) {
    return REPOSITORY + ":" + contentHash(baseImage, baseImageId);
  }

  /**
   * The base image's ID, pulling it first if missing; empty if it can be neither found nor pulled.
   */
  static Optional<String> baseImageId(String baseImage) {
    Optional<String> local = localImageId(baseImage);
    if (local.isPresent()) {
      return local;
    }
    try {
      DockerImageName name = DockerImageName.parse(baseImage);
      boolean completed =
          DockerClientFactory.instance()
              .client()
              .pullImageCmd(name.getUnversionedPart())
              .withTag(name.getVersionPart())
              .start()
              .awaitCompletion(PULL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (!completed) {
        LOG.log(Level.DEBUG, "Pulling base image {0} took over {1}", baseImage, PULL_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (RuntimeException e) {
      // No registry here, or no such image: the build will say so clearly.
      LOG.log(Level.DEBUG, "Cannot pull base image {0}: {1}", baseImage, e.getMessage());
    }
    Optional<String> pulled = localImageId(baseImage);
    if (pulled.isEmpty()) {
      LOG.log(
          Level.DEBUG,
          "Cannot inspect base image {0}; the sshd image tag hashes its name only",
          baseImage);
    }
    return pulled;
  }

  private static Optional<String> localImageId(String image) {
    try {
      return Optional.ofNullable(
          DockerClientFactory.instance().client().inspectImageCmd(image).exec().getId());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Cannot inspect image {0}: {1}", image, e.getMessage());
      return Optional.empty();
    }
  }

  private static boolean existsLocally(String tag) {
    return localImageId(tag).isPresent();
  }

  private static String build(String tag, String baseImage) {
    LOG.log(Level.INFO, "Building sshd image {0} on base image {1}", tag, baseImage);
    ImageFromDockerfile image =
        new ImageFromDockerfile(tag, false).withBuildArg("BASE_IMAGE", baseImage);
    for (String file : FILES) {
      image.withFileFromClasspath(file, RESOURCE_DIR + file);
    }
    try {
      return image.get();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot build the sshd image "
              + tag
              + " on base image '"
              + baseImage
              + "'. Without a "
              + "registry, make a local base image first (docker/provision-debian.sh) and name it "
              + "with -Dmuxtest.sshd.baseImage or MUXTEST_BASE_IMAGE.",
          e);
    }
  }

  private static String contentHash(String baseImage, Optional<String> baseImageId) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(baseImage.getBytes(StandardCharsets.UTF_8));
      // A separator, so that no name and ID pair hashes like another.
      digest.update((byte) 0);
      baseImageId.ifPresent(id -> digest.update(id.getBytes(StandardCharsets.UTF_8)));
      for (String file : FILES) {
        try (InputStream in =
            SshdImage.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + file)) {
          if (in == null) {
            throw new IllegalStateException("The muxtest jar lacks " + RESOURCE_DIR + file);
          }
          digest.update(file.getBytes(StandardCharsets.UTF_8));
          digest.update(in.readAllBytes());
        }
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot read the sshd image files from the classpath", e);
    }
  }
}
