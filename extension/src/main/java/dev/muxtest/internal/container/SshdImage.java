package dev.muxtest.internal.container;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Future;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.LazyFuture;

/**
 * The sshd image, built from the files of docker/sshd that the library jar carries.
 *
 * <p>The tag is derived from those files and the base image, so an image is built once per machine
 * and reused by every later class and run until the files change.
 */
public final class SshdImage {

  /** Repository part of the image's tag. */
  public static final String REPOSITORY = "muxtest/sshd";

  private static final System.Logger LOG = System.getLogger(SshdImage.class.getName());
  private static final String RESOURCE_DIR = "dev/muxtest/sshd/";
  private static final List<String> FILES = List.of("Dockerfile", "sshd_config", "entrypoint.sh");
  private static final ConcurrentMap<String, Future<String>> IMAGES = new ConcurrentHashMap<>();

  private SshdImage() {}

  /**
   * The image built on {@code baseImage}, as a future that builds it on first use if the Docker
   * engine does not have it yet.
   */
  public static Future<String> on(String baseImage) {
    String tag = REPOSITORY + ":" + contentHash(baseImage);
    return IMAGES.computeIfAbsent(
        tag,
        t ->
            new LazyFuture<>() {
              @Override
              protected String resolve() {
                return existsLocally(t) ? t : build(t, baseImage);
              }
            });
  }

  private static boolean existsLocally(String tag) {
    try {
      DockerClientFactory.instance().client().inspectImageCmd(tag).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
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

  private static String contentHash(String baseImage) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(baseImage.getBytes(StandardCharsets.UTF_8));
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
