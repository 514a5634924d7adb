package dev.muxtest.internal.sshconfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of one resolution, each read once however many hops and Includes name it, and split
 * into lines as OpenSSH's {@code readconf.c} does: at {@code \n} only (a {@code \r} is not a line
 * end: {@link LineTokenizer} refuses one inside a line and strips one at its end), bytes that are
 * not UTF-8 tolerated (OpenSSH reads bytes; a Latin-1 comment must not make the file unreadable).
 */
final class ConfigFiles {

  private final Map<Path, List<String>> lines = new HashMap<>();
  private int reads;

  /** The lines of {@code file}, read on the first call only. */
  List<String> lines(Path file) {
    List<String> known = lines.get(file);
    if (known != null) {
      return known;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read ssh config " + file + ": " + e.getMessage(), e);
    }
    reads++;
    // new String(..., UTF_8) replaces what is not UTF-8 rather than failing
    List<String> read = List.of(new String(bytes, StandardCharsets.UTF_8).split("\n", -1));
    lines.put(file, read);
    return read;
  }

  /** How many times a file was read from disk: once per file. */
  int reads() {
    return reads;
  }
}
