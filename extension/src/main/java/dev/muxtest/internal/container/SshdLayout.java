package dev.muxtest.internal.container;

import dev.muxtest.SshdContainer;
import dev.muxtest.internal.engine.KeyMaterial;
import java.security.KeyPair;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * Where the muxtest sshd image reads what a container is given (host key, authorized_keys,
 * services, sshd options), and what every sshd container has, whichever its image.
 */
public final class SshdLayout {

  /** The authorized_keys file of {@link SshdContainer#USER}. */
  public static final String AUTHORIZED_KEYS = "/etc/ssh/authorized_keys/" + SshdContainer.USER;

  private static final String HOST_KEY = "/etc/ssh/muxtest_host_key";
  private static final String SERVICES_DIR = "/etc/muxtest/init.d/";
  private static final String SSHD_OPTIONS_DIR = "/etc/ssh/sshd_config.d/";

  private SshdLayout() {}

  /**
   * Sets up {@code container}: its SSH port published on loopback where the Docker engine is local,
   * the muxtest label, {@code hostKey}, a wait for sshd to listen, and {@code logins} following its
   * output.
   */
  public static void setUp(GenericContainer<?> container, KeyPair hostKey, LoginIndex logins) {
    container.withExposedPorts(SshdContainer.SSH_PORT);
    // Testcontainers publishes on all interfaces: anyone on the network could reach the test sshd.
    container.withCreateContainerCmdModifier(LoopbackPorts::bindLoopbackIfLocal);
    container.withLabel(Labels.SSHD, "true");
    container.withCopyToContainer(
        Transferable.of(KeyMaterial.openSshPrivateKey(hostKey, "muxtest host key"), 0600),
        HOST_KEY);
    container.waitingFor(
        Wait.forLogMessage("(?s).*Server listening on 0\\.0\\.0\\.0 port 22\\..*", 1)
            .withStartupTimeout(Duration.ofSeconds(120)));
    container.withLogConsumer(logins::accept);
  }

  /** Where the entrypoint finds the {@code number}th background command, run as root. */
  public static String service(int number) {
    return SERVICES_DIR + String.format("%02d-service", number);
  }

  /** Where sshd reads {@code keyword}, before the image's own sshd_config. */
  public static String sshdOption(String keyword) {
    return SSHD_OPTIONS_DIR + "50-" + keyword + ".conf";
  }
}
