package dev.muxtest.internal.sshconfig;

import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * Host names and IP address literals as muxtest accepts them: parsed here, never given to a
 * resolver, so that a value OpenSSH's config would read as anything but a host is refused before
 * anything connects.
 */
public final class HostNames {

  /** A host name label: RFC 1123, with '_' tolerated as resolvers do; no '-' at either end. */
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

  private HostNames() {}

  /** What makes {@code host} not a host name or an IP address (with or without brackets). */
  static String hostProblem(String host) {
    if (host == null || host.isBlank()) {
      return "the host must not be null or blank but was " + shown(host);
    }
    String notAHost = "the host " + shown(host) + " is not a host name or an IP address: ";
    if (host.startsWith("-")) {
      return notAHost + "it starts with '-'";
    }
    String forbidden =
        firstOutside(
            host, c -> (c < 128 && Character.isLetterOrDigit(c)) || ".-_:[]".indexOf(c) >= 0);
    if (forbidden != null) {
      return notAHost + "it contains " + forbidden;
    }
    if (host.contains(":") || host.contains("[") || host.contains("]")) {
      return isIpv6(unbracketed(host)) ? null : notAHost + "it is not a valid IPv6 address";
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
      return isIpv4(name) ? null : notAHost + "it is not a valid IPv4 address";
    }
    if (name.length() > 253) {
      return notAHost + "it is longer than 253 characters";
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty()) {
        return notAHost + "it has an empty label";
      }
      if (label.length() > 63) {
        return notAHost + "its label " + shown(label) + " is longer than 63 characters";
      }
      if (!LABEL.matcher(label).matches()) {
        return notAHost + "its label " + shown(label) + " starts or ends with '-'";
      }
    }
    return null;
  }

  /** {@code host} without the brackets of an IPv6 address written {@code [::1]}. */
  public static String unbracketed(String host) {
    return host.length() > 1 && host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1)
        : host;
  }

  private static boolean isIpv4(String address) {
    String[] parts = address.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  /** An IPv6 literal (RFC 4291 text forms, no zone): parsed here, never given to a resolver. */
  private static boolean isIpv6(String address) {
    int gap = address.indexOf("::");
    if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    List<String> halves =
        gap < 0 ? List.of(address) : List.of(address.substring(0, gap), address.substring(gap + 2));
    int groups = 0;
    for (int h = 0; h < halves.size(); h++) {
      if (halves.get(h).isEmpty()) {
        if (gap < 0) {
          return false;
        }
        continue;
      }
      String[] parts = halves.get(h).split(":", -1);
      for (int i = 0; i < parts.length; i++) {
        boolean last = h == halves.size() - 1 && i == parts.length - 1;
        if (last && parts[i].contains(".")) {
          if (!isIpv4(parts[i])) {
            return false;
          }
          groups += 2;
        } else if (parts[i].matches("[0-9A-Fa-f]{1,4}")) {
          groups++;
        } else {
          return false;
        }
      }
    }
    return gap < 0 ? groups == 8 : groups < 8;
  }

  /** The first character of {@code s} not {@code allowed}, shown quoted and escaped, or null. */
  static String firstOutside(String s, IntPredicate allowed) {
    return s.codePoints()
        .filter(allowed.negate())
        .mapToObj(c -> c == '"' ? "'\"'" : "'" + Strings.escaped(c) + "'")
        .findFirst()
        .orElse(null);
  }

  private static String shown(String s) {
    return Strings.shown(s);
  }
}
