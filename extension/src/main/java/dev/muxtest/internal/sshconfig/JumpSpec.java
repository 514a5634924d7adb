package dev.muxtest.internal.sshconfig;

import java.util.ArrayList;
import java.util.List;

/**
 * One hop of a {@code ProxyJump} value, as {@code readconf.c}'s {@code parse_jump} reads it: {@code
 * [user@]host[:port]}, {@code host} possibly an IPv6 address in brackets, or {@code
 * ssh://[user@]host[:port]}.
 *
 * @param user the user given with the hop, or null
 * @param host the host name as given, looked up in the config as an alias
 * @param port the port given with the hop, or -1
 * @param line the ProxyJump line it comes from
 */
record JumpSpec(String user, String host, int port, ConfigLine line) {

  /**
   * The hops of {@code line}'s value, first hop first; empty for {@code none}.
   *
   * @throws IllegalArgumentException for more than one argument, an empty hop, or a bad port
   */
  static List<JumpSpec> parse(ConfigLine line) {
    if (line.arguments().size() > 1) {
      throw line.error(
          "one value expected (hops are separated by commas, without spaces) but "
              + line.arguments().size()
              + " given");
    }
    String value = line.value();
    if (value.equalsIgnoreCase("none")) {
      return List.of();
    }
    List<JumpSpec> hops = new ArrayList<>();
    for (String hop : value.split(",", -1)) {
      hops.add(hop(hop, line));
    }
    return hops;
  }

  private static JumpSpec hop(String given, ConfigLine line) {
    String rest = given;
    if (rest.regionMatches(true, 0, "ssh://", 0, 6)) {
      rest = rest.substring(6);
      if (rest.endsWith("/")) {
        rest = rest.substring(0, rest.length() - 1);
      }
    }
    String user = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      user = rest.substring(0, at);
      rest = rest.substring(at + 1);
      if (user.isEmpty()) {
        throw line.error("the hop " + Strings.shown(given) + " has an empty user");
      }
    }
    String host = rest;
    String port = null;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw line.error("the hop " + Strings.shown(given) + " has '[' without ']'");
      }
      host = rest.substring(1, close);
      String after = rest.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw line.error("the hop " + Strings.shown(given) + " has text after ']'");
        }
        port = after.substring(1);
      }
    } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
      host = rest.substring(0, rest.indexOf(':'));
      port = rest.substring(rest.indexOf(':') + 1);
    }
    if (host.isEmpty()) {
      throw line.error(
          given.isEmpty()
              ? "an empty hop (two commas in a row, or one at either end)"
              : "the hop " + Strings.shown(given) + " names no host");
    }
    int number = -1;
    if (port != null) {
      if (!port.matches("[0-9]{1,5}")
          || Integer.parseInt(port) < 1
          || Integer.parseInt(port) > 65535) {
        throw line.error(
            "the hop "
                + Strings.shown(given)
                + " has a port that is not a port number (1 to 65535)");
      }
      number = Integer.parseInt(port);
    }
    return new JumpSpec(user, host, number, line);
  }

  @Override
  public String toString() {
    return (user == null ? "" : user + "@") + host + (port < 0 ? "" : ":" + port);
  }
}
