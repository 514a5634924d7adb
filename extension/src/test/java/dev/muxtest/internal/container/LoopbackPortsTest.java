package dev.muxtest.internal.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which Docker engines count as local (ports published on loopback) and which keep Testcontainers'
 * default: the rule alone, for engines this machine does not have. {@code
 * SshdContainerExposureTest} checks a real container on the engine at hand.
 */
class LoopbackPortsTest {

  @ParameterizedTest(name = "{0}, containers reached at {1}: loopback {2}")
  @CsvSource({
    "unix:///var/run/docker.sock, localhost, true",
    "unix:///run/user/1000/docker.sock, 127.0.0.1, true",
    "npipe:////./pipe/docker_engine, localhost, true",
    // CI's engine over TCP on the same machine.
    "tcp://127.0.0.1:2375, 127.0.0.1, true",
    "tcp://localhost:2375, localhost, true",
    "tcp://[::1]:2375, ::1, true",
    "tcp://127.0.0.2:2375, 127.0.0.2, true",
    // Another machine: its loopback would be out of reach.
    "tcp://192.0.2.10:2376, 192.0.2.10, false",
    "tcp://docker.example:2376, docker.example, false",
    "ssh://user@docker.example, docker.example, false",
    // A test JVM in a container, reaching its host's engine through the bridge gateway.
    "unix:///var/run/docker.sock, 172.17.0.1, false",
    // A name that is not localhost is not looked up.
    "tcp://docker:2375, docker, false",
  })
  void loopbackOnlyForAnEngineOnThisMachineReachedAtLoopback(
      String dockerHost, String containerHost, boolean loopback) {
    assertThat(LoopbackPorts.bindsLoopback(URI.create(dockerHost), containerHost))
        .isEqualTo(loopback);
  }
}
