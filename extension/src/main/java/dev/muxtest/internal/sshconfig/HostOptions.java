package dev.muxtest.internal.sshconfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lines of an ssh config that apply to one host name, for the keywords muxtest reads: the first
 * line of each single-valued keyword (the first value wins, as in OpenSSH), every {@code
 * IdentityFile} and {@code CertificateFile} line in order (OpenSSH adds those up).
 */
final class HostOptions {

  private final Map<String, ConfigLine> first = new HashMap<>();
  final List<ConfigLine> identityFiles = new ArrayList<>();
  final List<ConfigLine> certificateFiles = new ArrayList<>();

  /** Host patterns without wildcards anywhere in the files, for a hint on a misspelled name. */
  final Set<String> namedHosts = new LinkedHashSet<>();

  /** Whether a Host line applied to the name (lines before the first Host do not count). */
  boolean matchedByHostLine;

  /** Keeps {@code line} as the value of {@code key} unless an earlier line gave one. */
  void offer(String key, ConfigLine line) {
    first.putIfAbsent(key, line);
  }

  /** The line that gave {@code key}'s value, if any did. */
  Optional<ConfigLine> first(String key) {
    return Optional.ofNullable(first.get(key));
  }
}
