package dev.muxtest.internal.sshconfig;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A host as an ssh config gives it, each value with the line it comes from (empty where a default
 * was taken), for the caller to check and to name the line of a bad value.
 *
 * @param alias the name looked up
 * @param host the host to connect to: {@code HostName} with {@code %h} expanded, or the alias
 * @param hostLine the HostName line
 * @param port the port
 * @param portLine the Port or ProxyJump line that gave it
 * @param user the login user (the local user by default)
 * @param userLine the User or ProxyJump line that gave it
 * @param identityFile the identity file (absolute)
 * @param identityLine its IdentityFile line
 * @param knownHostsFile the known_hosts file (absolute)
 * @param knownHostsLine its UserKnownHostsFile line
 * @param certificateFile the certificate file (absolute), if one is given
 * @param certificateLine its CertificateFile line
 * @param jumpHost the hop this host is reached through, if any
 * @param where the file and alias, for a message about a missing or default value
 */
public record ResolvedHost(
    String alias,
    String host,
    Optional<ConfigLine> hostLine,
    int port,
    Optional<ConfigLine> portLine,
    String user,
    Optional<ConfigLine> userLine,
    Path identityFile,
    ConfigLine identityLine,
    Path knownHostsFile,
    ConfigLine knownHostsLine,
    Optional<Path> certificateFile,
    Optional<ConfigLine> certificateLine,
    Optional<ResolvedHost> jumpHost,
    String where) {

  /**
   * Checks every value as {@code SshHost.of} does, naming the line of a bad one.
   *
   * @throws IllegalArgumentException naming the line (or the default taken) and the problem
   */
  public void check() {
    String problem = HostNames.hostProblem(host);
    if (problem != null) {
      throw error(hostLine, "no HostName, and the alias is not a host name itself: ", problem);
    }
    problem = HostChecks.userProblem(user);
    if (problem != null) {
      throw error(userLine, "no User, and the local user name cannot be used: ", problem);
    }
    problem = HostChecks.identityProblem(identityFile);
    if (problem != null) {
      throw identityLine.error(problem);
    }
    problem = HostChecks.fileProblem(knownHostsFile, "known_hosts file");
    if (problem != null) {
      throw knownHostsLine.error(problem);
    }
    problem =
        certificateFile.map(file -> HostChecks.fileProblem(file, "certificate file")).orElse(null);
    if (problem != null) {
      throw certificateLine.orElseThrow().error(problem);
    }
  }

  /**
   * A refusal of a value: named by its line if it has one, else by {@code where} and {@code
   * defaultTaken} (what was taken instead of a line).
   */
  IllegalArgumentException error(Optional<ConfigLine> line, String defaultTaken, String problem) {
    return line.map(l -> l.error(problem))
        .orElseGet(() -> new IllegalArgumentException(where + ": " + defaultTaken + problem));
  }
}
