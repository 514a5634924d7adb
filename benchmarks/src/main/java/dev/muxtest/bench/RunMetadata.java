package dev.muxtest.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.muxtest.SshdContainer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.VersionProperties;
import org.testcontainers.DockerClientFactory;

/** Facts about the machine and the run that a figure cannot be read without. */
final class RunMetadata {

  private RunMetadata() {}

  /**
   * Metadata of a run of {@code plan} that started at {@code started}; a fact that cannot be had is
   * "unknown".
   */
  static Map<String, Object> collect(
      RunPlan plan, Instant started, Instant finished, double loadAtStart) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", plan.mode());
    m.put("started", started.toString());
    m.put("finished", finished.toString());
    m.put("durationSeconds", (finished.toEpochMilli() - started.toEpochMilli()) / 1000.0);
    m.put("command", "mvn -B -pl benchmarks -am verify -DskipTests -Dbench=" + plan.mode());
    m.put("git", command("git", "describe", "--always", "--dirty", "--abbrev=12"));

    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("arch", System.getProperty("os.arch"));
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("memoryGiB", Math.round(os.getTotalMemorySize() / (double) (1L << 30) * 10) / 10.0);
    machine.put("loadAverageAtStart", loadAtStart);
    machine.put("loadAverageAtEnd", os.getSystemLoadAverage());
    m.put("machine", machine);

    Map<String, Object> software = new LinkedHashMap<>();
    software.put(
        "java",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    software.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
    software.put(
        "gc",
        ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
    software.put(
        "minaSshd",
        String.valueOf(VersionProperties.class.getPackage().getImplementationVersion()));
    software.put("opensshClient", command("ssh", "-V"));
    software.put("docker", docker());
    software.put("sshdBaseImage", SshdContainer.configuredBaseImage());
    m.put("software", software);

    m.put("plan", plan.describe());
    m.put(
        "network",
        "every connection goes to localhost: the container's sshd and services through their "
            + "published ports (Docker's userland proxy), the forwards on 127.0.0.1");
    m.put(
        "units",
        Map.of(
            "MB/s",
            "10^6 bytes per second",
            "ms",
            "milliseconds, wall clock",
            "s",
            "seconds, wall clock",
            "KiB",
            "1024 bytes of Java heap"));
    return m;
  }

  private static String docker() {
    try {
      return "Docker " + DockerClientFactory.instance().getInfo().getServerVersion();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  /** The first line a short command prints (stdout and stderr), or "unknown"; bounded to 10 s. */
  private static String command(String... command) {
    try {
      Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "unknown";
      }
      String out =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return process.exitValue() == 0 && !out.isEmpty()
          ? out.lines().findFirst().orElse("unknown")
          : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
