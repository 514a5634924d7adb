package dev.muxtest.internal.container;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import org.testcontainers.DockerClientFactory;

/**
 * Publishes a container's ports on the loopback address of the test machine when the Docker engine
 * runs on that machine, instead of on all its interfaces (Testcontainers' default, which lets the
 * whole network reach a test's sshd).
 *
 * <p>A remote engine (a {@code DOCKER_HOST} of another machine), or a test JVM that reaches the
 * containers at a non-loopback address (a JVM inside a container, talking to its host's engine),
 * keeps the default: loopback of the engine's machine would be out of reach there.
 */
final class LoopbackPorts {

  /** The address published ports bind to on a local engine. */
  public static final String LOOPBACK = "127.0.0.1";

  private LoopbackPorts() {}

  /**
   * Rebinds the ports {@code command} publishes on no particular address to {@value #LOOPBACK},
   * keeping their host ports (random ones stay random), when the engine Testcontainers talks to is
   * local; otherwise leaves {@code command} as it is.
   */
  public static CreateContainerCmd bindLoopbackIfLocal(CreateContainerCmd command) {
    DockerClientFactory docker = DockerClientFactory.instance();
    if (!bindsLoopback(docker.getTransportConfig().getDockerHost(), docker.dockerHostIpAddress())) {
      return command;
    }
    HostConfig hostConfig = command.getHostConfig();
    if (hostConfig == null || hostConfig.getPortBindings() == null) {
      return command;
    }
    Ports loopback = new Ports();
    for (Map.Entry<ExposedPort, Ports.Binding[]> published :
        hostConfig.getPortBindings().getBindings().entrySet()) {
      Ports.Binding[] bindings = published.getValue();
      if (bindings == null) {
        loopback.bind(published.getKey(), null);
        continue;
      }
      for (Ports.Binding binding : bindings) {
        boolean anyAddress = binding.getHostIp() == null || binding.getHostIp().isEmpty();
        loopback.bind(
            published.getKey(),
            anyAddress ? new Ports.Binding(LOOPBACK, binding.getHostPortSpec()) : binding);
      }
    }
    hostConfig.withPortBindings(loopback);
    return command;
  }

  /**
   * Whether published ports should bind loopback: the engine at {@code dockerHost} runs on this
   * machine (a UNIX socket or named pipe, or TCP/SSH to a loopback address), and the test JVM
   * reaches containers at {@code containerHost}, a loopback address too.
   */
  static boolean bindsLoopback(URI dockerHost, String containerHost) {
    return isLocalEngine(dockerHost) && isLoopback(containerHost);
  }

  /** Whether the engine at {@code dockerHost} runs on this machine. */
  static boolean isLocalEngine(URI dockerHost) {
    if (dockerHost == null || dockerHost.getScheme() == null) {
      return false;
    }
    return switch (dockerHost.getScheme().toLowerCase(Locale.ROOT)) {
      case "unix", "npipe" -> true;
      case "tcp", "http", "https", "ssh" -> isLoopback(dockerHost.getHost());
      default -> false;
    };
  }

  /**
   * Whether {@code host} is {@code localhost} or a loopback address literal; other names are not
   * looked up (a name that resolves to loopback here may not on the engine's machine).
   */
  static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (bare.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!bare.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
      return false; // a name: no DNS lookup
    }
    try {
      return InetAddress.getByName(bare).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
