package dev.muxtest.internal.engine;

/**
 * A command as messages quote it: whole when short, else its first characters and its length, so
 * that a command of 100 KiB does not become an exception message of 100 KiB.
 */
public final class CommandText {

  /** Characters of a command a message quotes. */
  static final int QUOTED = 200;

  private CommandText() {}

  /** {@code command}, or its first {@value #QUOTED} characters, "...", and its length. */
  public static String shorten(String command) {
    if (command == null || command.length() <= QUOTED) {
      return command;
    }
    return command.substring(0, QUOTED) + "... (" + command.length() + " characters)";
  }
}
