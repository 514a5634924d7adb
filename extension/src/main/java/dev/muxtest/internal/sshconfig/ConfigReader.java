package dev.muxtest.internal.sshconfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the lines of an ssh config, its {@code Include}s with them, that apply to one host name,
 * following {@code readconf.c}: lines before the first {@code Host} apply to every host; a {@code
 * Host} line decides whether the lines after it apply; an {@code Include} is read where it stands,
 * in the state of the block it stands in (inside a block that does not apply, its Host lines never
 * match), and that state is back after it; at most 16 levels of Include. {@code Match} is refused
 * wherever it is; keywords that would change where or how to connect and that muxtest does not
 * follow are refused where they apply to the name; other keywords are ignored.
 */
final class ConfigReader {

  /** OpenSSH's {@code READCONF_MAX_DEPTH}. */
  static final int MAX_DEPTH = 16;

  /**
   * Keywords that would change where or how OpenSSH connects and that muxtest does not follow:
   * refused where they apply, rather than silently left out.
   */
  private static final Set<String> REFUSED =
      Set.of(
          "proxycommand",
          "hostkeyalias",
          "canonicalizehostname",
          "identityagent",
          "globalknownhostsfile",
          "knownhostscommand");

  private final Path includeBase;
  private final ConfigFiles files;

  /**
   * @param includeBase the directory relative {@code Include} paths are taken from
   * @param files the files of this resolution, each read once
   */
  ConfigReader(Path includeBase, ConfigFiles files) {
    this.includeBase = includeBase;
    this.files = files;
  }

  /** The lines of {@code file} and its Includes that apply to {@code name}. */
  HostOptions read(Path file, String name, boolean checkPermissions) {
    HostOptions options = new HostOptions();
    readFile(file, name, options, new boolean[] {true}, false, 0, checkPermissions);
    return options;
  }

  private void readFile(
      Path file,
      String name,
      HostOptions options,
      boolean[] active,
      boolean neverMatch,
      int depth,
      boolean checkPermissions) {
    if (checkPermissions) {
      checkPermissions(file);
    }
    List<String> lines = files.lines(file);
    for (int i = 0; i < lines.size(); i++) {
      var parsed = LineTokenizer.line(file, i + 1, lines.get(i));
      if (parsed.isPresent()) {
        line(parsed.get(), name, options, active, neverMatch, depth);
      }
    }
  }

  private void line(
      ConfigLine line,
      String name,
      HostOptions options,
      boolean[] active,
      boolean neverMatch,
      int depth) {
    String keyword = line.lower();
    switch (keyword) {
      case "match" ->
          throw line.error(
              "not supported by muxtest: a Match block can run a command (exec) and depends on"
                  + " what only the connecting ssh knows; give the host's settings in a Host"
                  + " block");
      case "host" -> {
        if (line.arguments().isEmpty()) {
          throw line.error("no pattern given");
        }
        line.arguments().stream().filter(HostPatterns::literal).forEach(options.namedHosts::add);
        active[0] = !neverMatch && HostPatterns.applies(name, line.arguments());
        options.matchedByHostLine |= active[0];
        return;
      }
      case "include" -> {
        include(line, name, options, active, neverMatch, depth);
        return;
      }
      default -> {}
    }
    if (!active[0]) {
      return; // another host's block: not this name's to read
    }
    if (REFUSED.contains(keyword)
        && !(keyword.equals("proxycommand") && isNone(line.arguments()))) {
      throw line.error(
          "not supported by muxtest, which connects the same way on both engines and follows"
              + " only HostName, Port, User, IdentityFile, UserKnownHostsFile, CertificateFile"
              + " and ProxyJump; give this host's settings without it");
    }
    switch (keyword) {
      case "hostname", "port", "user", "userknownhostsfile" -> {
        requireValue(line);
        options.offer(keyword, line);
      }
      // ProxyCommand and ProxyJump share one slot: the first of them wins (readconf.c).
      case "proxyjump", "proxycommand" -> {
        requireValue(line);
        options.offer("proxyjump", line);
      }
      case "identityfile" -> {
        requireValue(line);
        options.identityFiles.add(line);
      }
      case "certificatefile" -> {
        requireValue(line);
        options.certificateFiles.add(line);
      }
      default -> {} // muxtest sets its own connection options
    }
  }

  private void include(
      ConfigLine line,
      String name,
      HostOptions options,
      boolean[] active,
      boolean neverMatch,
      int depth) {
    if (line.arguments().isEmpty()) {
      throw line.error("no file given");
    }
    for (String argument : line.arguments()) {
      if (argument.indexOf('%') >= 0 || argument.contains("${")) {
        throw line.error(
            Strings.shown(argument)
                + ": muxtest does not expand % tokens or ${...} environment variables in"
                + " Include; write the path out");
      }
      Path pattern = ConfigPaths.path(line, argument, includeBase);
      List<Path> files = IncludeGlob.files(pattern);
      if (!files.isEmpty() && depth + 1 > MAX_DEPTH) {
        throw line.error(
            "more than "
                + MAX_DEPTH
                + " levels of Include (OpenSSH's limit); does a file include itself?");
      }
      boolean wasActive = active[0];
      for (Path file : files) {
        if (Files.isDirectory(file)) {
          continue; // OpenSSH cannot read a directory as a config; muxtest skips it likewise
        }
        readFile(file, name, options, active, neverMatch || !wasActive, depth + 1, true);
        active[0] = wasActive; // an included file's Host lines end with it
      }
    }
  }

  /**
   * OpenSSH refuses an included file (and the user's own config) that others could write: owned by
   * someone other than the user or root, or writable by group or others.
   */
  static void checkPermissions(Path file) {
    try {
      Set<PosixFilePermission> modes = Files.getPosixFilePermissions(file);
      String owner = Files.getOwner(file).getName();
      boolean othersWrite =
          modes.contains(PosixFilePermission.GROUP_WRITE)
              || modes.contains(PosixFilePermission.OTHERS_WRITE);
      if (othersWrite || !(owner.equals("root") || owner.equals(System.getProperty("user.name")))) {
        throw new IllegalArgumentException(
            "ssh config "
                + file
                + ": bad owner or permissions (owner "
                + owner
                + (othersWrite ? ", writable by group or others" : "")
                + "); OpenSSH refuses such a file, and so does muxtest: chmod go-w "
                + file);
      }
    } catch (UnsupportedOperationException e) {
      // No POSIX modes here (Windows): OpenSSH checks nothing of the kind there either.
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read ssh config " + file + ": " + e.getMessage(), e);
    }
  }

  static boolean isNone(List<String> arguments) {
    return arguments.size() == 1 && arguments.get(0).equalsIgnoreCase("none");
  }

  /** {@code line}, which must have exactly one argument. */
  static ConfigLine requireOne(ConfigLine line) {
    if (line.arguments().size() > 1) {
      throw line.error(
          "one value expected but "
              + line.arguments().size()
              + " given: "
              + line.arguments().stream().map(Strings::shown).collect(Collectors.joining(", ")));
    }
    return line;
  }

  private static void requireValue(ConfigLine line) {
    if (line.arguments().isEmpty()) {
      throw line.error("no value given");
    }
  }
}
