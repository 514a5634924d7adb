package dev.muxtest;

import com.github.dockerjava.api.model.ContainerNetwork;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startable;

/**
 * A bastion and a target behind it, ready to use: the bastion {@link SshdContainer} on a network
 * the test machine reaches (its SSH port published), the target on an {@code --internal} network
 * the test machine cannot reach, and the bastion on both. The target is declared reachable through
 * the bastion ({@link SshdContainer#withJumpHost}), so a class whose {@code @SshServer} is {@link
 * #target()} gets one TCP connection, to the bastion.
 *
 * <pre>{@code
 * static SshTopology topology = new SshTopology();
 * @SshServer static SshdContainer server = topology.target();
 * }</pre>
 *
 * <p>Starting the target starts the bastion and networks first; stopping the target stops them too.
 * Put further services on {@link #internalNetwork()}. Networks carry the label {@value
 * #LABEL}{@code =true}.
 */
public final class SshTopology implements Startable {

  /** Label on the networks of a topology. */
  public static final String LABEL = "dev.muxtest";

  /** The bastion's name on the internal network. */
  public static final String BASTION_ALIAS = "bastion";

  /** The target's name on the internal network. */
  public static final String TARGET_ALIAS = "target";

  private final Network reachable;
  private final Network internal;
  private final SshdContainer bastion;
  private final SshdContainer target;
  private final AtomicBoolean bastionUp = new AtomicBoolean();

  /** Two default servers. */
  public SshTopology() {
    this(new SshdContainer(), new SshdContainer());
  }

  /**
   * These two servers, as bastion and target; configure them (services, options) before starting.
   */
  public SshTopology(SshdContainer bastion, SshdContainer target) {
    this.reachable = network(false);
    this.internal = network(true);
    this.bastion = bastion.withNetwork(reachable);
    this.target =
        target.withNetwork(internal).withNetworkAliases(TARGET_ALIAS).withJumpHost(bastion);
    Startable firstHop =
        new Startable() {
          @Override
          public void start() {
            startBastion();
          }

          @Override
          public void stop() {
            stopBastionAndNetworks();
          }
        };
    this.target.dependsOn(firstHop);
    this.target.stopsWith(firstHop);
  }

  private static Network network(boolean isInternal) {
    return Network.builder()
        .createNetworkCmdModifier(
            cmd -> cmd.withInternal(isInternal).withLabels(Map.of(LABEL, "true")))
        .build();
  }

  private synchronized void startBastion() {
    if (bastionUp.get()) {
      return;
    }
    bastion.start();
    bastionUp.set(true);
    // A Testcontainers container joins one network at creation; the second is joined here.
    DockerClientFactory.instance()
        .client()
        .connectToNetworkCmd()
        .withContainerId(bastion.getContainerId())
        .withNetworkId(internal.getId())
        .withContainerNetwork(new ContainerNetwork().withAliases(BASTION_ALIAS))
        .exec();
  }

  private synchronized void stopBastionAndNetworks() {
    try {
      bastion.stop();
    } finally {
      bastionUp.set(false);
      internal.close();
      reachable.close();
    }
  }

  /**
   * Adds a service on the internal network under {@code alias} (the name the target, and through it
   * the tests' forwards, reach it by): started before the target, stopped with the topology. It
   * publishes no port: the test machine reaches it only through the target.
   */
  public SshTopology withService(GenericContainer<?> service, String alias) {
    service.withNetwork(internal).withNetworkAliases(alias);
    service.setExposedPorts(new ArrayList<>()); // an internal network publishes no port
    target.dependsOn(service);
    target.stopsWith(service);
    return this;
  }

  /** The server reachable from the test machine. */
  public SshdContainer bastion() {
    return bastion;
  }

  /** The server reachable only through {@link #bastion()}. */
  public SshdContainer target() {
    return target;
  }

  /** The network of the target (and the bastion's second network), for further services. */
  public Network internalNetwork() {
    return internal;
  }

  /** Starts networks, bastion and target. */
  @Override
  public void start() {
    target.start();
  }

  /** Stops target, bastion and networks. */
  @Override
  public void stop() {
    target.stop();
  }
}
