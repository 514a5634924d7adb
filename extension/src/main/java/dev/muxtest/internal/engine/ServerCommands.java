package dev.muxtest.internal.engine;

/**
 * Shell commands the engines run on the server to probe it, built so that no argument is shell
 * syntax.
 */
public final class ServerCommands {

  private ServerCommands() {}

  /**
   * A command that succeeds if the server can open a TCP connection to {@code host:port} (bash's
   * /dev/tcp). The host reaches bash as a positional parameter, single-quoted for the server's
   * shell: whatever its characters, it is never shell syntax.
   *
   * <p>On failure it tries each of the host's addresses and prints each one's error: bash reports
   * only the last address's, so "localhost" refused on 127.0.0.1 would read "Cannot assign
   * requested address" from ::1, hiding the refusal that tells a user the port is wrong.
   */
  public static String tcpConnect(String host, int port) {
    return "exec bash -c '"
        + "(exec 3<>\"/dev/tcp/$1/$2\") 2>/dev/null && exit 0; f=1; "
        + "while read -r a t _; do [ \"$t\" = STREAM ] || continue; "
        + "case \" $s \" in *\" $a \"*) continue;; esac; s=\"$s $a\"; "
        + "m=$( (exec 3<>\"/dev/tcp/$a/$2\") 2>&1 ) && exit 0; "
        + "echo \"$a: ${m##*: }\" >&2; f=0; done < <(getent ahosts \"$1\" 2>/dev/null); "
        + "[ $f = 0 ] && exit 1; exec 3<>\"/dev/tcp/$1/$2\"' probe "
        + "'"
        + host.replace("'", "'\\''")
        + "' "
        + port;
  }

  /**
   * The program that connects to a UNIX-domain socket, for {@code perl -e}: perl-base is part of
   * every Debian and Ubuntu system, where bash has nothing like {@code /dev/tcp} for such sockets.
   */
  private static final String PERL_CONNECT =
      "use Socket; socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die \"socket: $!\\n\";"
          + " connect($s, pack_sockaddr_un($ARGV[0])) or die \"$ARGV[0]: $!\\n\";";

  /** The same for {@code python3 -c}, where there is no perl. */
  private static final String PYTHON_CONNECT =
      "import socket, sys\n"
          + "s = socket.socket(socket.AF_UNIX)\n"
          + "try:\n"
          + "    s.connect(sys.argv[1])\n"
          + "except OSError as e:\n"
          + "    sys.exit(sys.argv[1] + \": \" + e.strerror)\n";

  /**
   * A command that succeeds if the server can connect to the UNIX-domain socket {@code path}, with
   * perl, else python3; on a server with neither, if {@code path} is a socket at all. The path and
   * the programs reach the shell as positional parameters, each single-quoted for the server's
   * shell: whatever their characters, they are never shell syntax.
   */
  public static String unixConnect(String path) {
    return "exec sh -c 'if command -v perl >/dev/null 2>&1; then exec perl -e \"$2\" -- \"$1\";"
        + " elif command -v python3 >/dev/null 2>&1; then exec python3 -c \"$3\" \"$1\";"
        + " elif [ -S \"$1\" ]; then exit 0;"
        + " else echo \"$1: not a socket\" >&2; exit 1; fi' probe "
        + quoted(path)
        + " "
        + quoted(PERL_CONNECT)
        + " "
        + quoted(PYTHON_CONNECT);
  }

  /** {@code value} single-quoted for a POSIX shell. */
  private static String quoted(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
