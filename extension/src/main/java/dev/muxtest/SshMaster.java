package dev.muxtest;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The single SSH connection of a test class. Every command and forward of the class travels over it
 * as a channel. Inject it as a test-method, lifecycle-method or constructor parameter.
 */
public interface SshMaster {

  /** The engine holding this master. */
  Engine engine();

  /**
   * The default command timeout ({@code muxtest.exec.timeout}), which the forms of {@code exec},
   * {@code upload} and {@code download} without a timeout use.
   */
  Duration commandTimeout();

  /**
   * Runs a shell command on the server over the master, with extra environment variables, within
   * {@code timeout}. The variables are passed as SSH environment requests (the server must accept
   * them: the reference server accepts {@code LANG}, {@code LC_*} and {@code MUXTEST_*}). Only
   * these variables are sent, never any of the test JVM's own environment. Every other form of
   * {@code exec} comes here.
   *
   * @throws IllegalArgumentException if {@code command} is null or blank, a name is not a plain
   *     variable name ({@code [A-Za-z_][A-Za-z0-9_]*}: no patterns such as {@code LC_*}) or a value
   *     is null, or {@code timeout} is null, not positive or over 24 hours
   * @throws SshOperationException if the command cannot be started, does not end within {@code
   *     timeout}, or writes more than {@code muxtest.exec.maxOutput} to stdout or stderr
   */
  ExecResult exec(String command, Map<String, String> environment, Duration timeout);

  /**
   * Runs a shell command on the server over the master, with the default command timeout.
   *
   * @throws IllegalArgumentException if {@code command} is null or blank
   * @throws SshOperationException as {@link #exec(String, Map, Duration)}
   */
  default ExecResult exec(String command) {
    return exec(command, Map.of(), commandTimeout());
  }

  /**
   * Runs a shell command on the server over the master, within {@code timeout}.
   *
   * @throws IllegalArgumentException if {@code command} is null or blank, or {@code timeout} is
   *     null, not positive or over 24 hours
   * @throws SshOperationException as {@link #exec(String, Map, Duration)}
   */
  default ExecResult exec(String command, Duration timeout) {
    return exec(command, Map.of(), timeout);
  }

  /**
   * Runs a shell command with extra environment variables, with the default command timeout.
   *
   * @throws IllegalArgumentException as {@link #exec(String, Map, Duration)}
   * @throws SshOperationException as {@link #exec(String, Map, Duration)}
   */
  default ExecResult exec(String command, Map<String, String> environment) {
    return exec(command, environment, commandTimeout());
  }

  /**
   * Opens a local forward at run time: a listener on {@code 127.0.0.1} on a free port leading to
   * {@code host:port} as seen from the server. It is closed with the master at the latest.
   *
   * @throws IllegalArgumentException if {@code host} is null or blank, or {@code port} is not from
   *     1 to 65535
   */
  Forward forwardLocal(String host, int port);

  /**
   * Opens a remote forward at run time: a listener on the server's loopback on {@code remotePort}
   * (0: the server allocates one, see {@link Forward#remotePort()}) leading to {@code host:port} as
   * seen from the test machine, which must be a loopback address.
   *
   * @throws IllegalArgumentException if {@code host} is not a loopback address ({@code localhost},
   *     {@code 127.0.0.1}, {@code ::1}), {@code port} is not from 1 to 65535 or {@code remotePort}
   *     not from 0 to 65535; nothing is sent to the server then
   */
  Forward forwardRemote(int remotePort, String host, int port);

  /**
   * Opens a dynamic forward at run time: a SOCKS proxy (versions 4 and 5) on {@code 127.0.0.1} on a
   * free port, {@link Forward#localPort()}, whose connections go to destinations chosen per
   * connection, as seen from the server. It is closed with the master at the latest.
   */
  Forward forwardDynamic();

  /**
   * Adds {@code key} to this master's SSH agent, which the test JVM holds and the master forwards
   * to the server ({@link SshMultiplexing#forwardAgent()}): commands on the server can then
   * authenticate onwards with it ({@code ssh further-host}), while the private key never leaves the
   * JVM.
   *
   * @throws SshOperationException if agent forwarding is off for this master
   */
  void addAgentKey(KeyPair key);

  /**
   * Whether the master is alive: its process or session is up and a real round trip to the server
   * succeeds (OpenSSH's {@code -O check} alone answers without touching the network). It never
   * reconnects: a master whose connection is lost answers false (its next command may reconnect).
   */
  boolean check();

  /**
   * Stops accepting new sessions and forwards (OpenSSH's {@code -O stop}); running ones finish. The
   * master is still closed as usual.
   */
  void stopAccepting();

  /**
   * The control socket of an {@link Engine#OPENSSH} master, for {@code ssh -S <path>}, {@code scp
   * -o ControlPath=<path>} or {@code rsync -e "ssh -S <path>"}; empty for other engines.
   */
  Optional<Path> controlPath();

  /**
   * The evidence of multiplexing from both sides: the client's count of the TCP connections this
   * master opened ({@link ConnectionReport#clientTcpConnections()}, 1 for a healthy class) and the
   * server's log of authenticated connections made with this master's key.
   */
  ConnectionReport connectionReport();

  /**
   * Starts {@code command} on the server in a session of the master and returns at once, with its
   * standard streams open (see {@link RemoteProcess}). The command is sent as the SSH exec request
   * alone, never through a shell on the test machine. MINA: an exec channel whose output streams
   * open the channel's window only as they are read. OpenSSH: {@code ssh -S <control> -o
   * ControlMaster=no -T -- host command} as a process of the test JVM, its streams the operating
   * system's pipes; it can never open a connection of its own.
   *
   * @throws IllegalArgumentException if {@code command} is null or blank, or holds a NUL character
   * @throws SshOperationException if the master is closed or stopped, no session frees up within
   *     {@code muxtest.exec.timeout}, or the session cannot be opened
   */
  RemoteProcess start(String command);

  /**
   * As {@link #start(String)}, with a pseudo-terminal on the server, for programs that need one
   * ({@code top}, {@code psql} prompting, anything that checks {@code isatty}). Its output comes
   * with the terminal's line endings ({@code \r\n}) and echoes the input; closing the process hangs
   * the terminal up, which ends the program. MINA: a {@code pty-req} of type {@code dumb} on the
   * exec channel; OpenSSH: {@code ssh -tt} with {@code TERM=dumb}.
   *
   * @throws IllegalArgumentException as {@link #start(String)}
   * @throws SshOperationException as {@link #start(String)}
   */
  RemoteProcess startWithTerminal(String command);

  /**
   * Opens a local forward to a UNIX-domain socket on the server at run time: a listener on {@code
   * 127.0.0.1} on a free port leading to the socket {@code remoteSocketPath} (OpenSSH's {@code -L
   * 127.0.0.1:PORT:/path}; on the MINA engine a {@code direct-streamlocal@openssh.com} channel per
   * connection). {@link Forward#remoteSocketPath()} names the socket. Nothing is checked on the
   * server yet: a connection to a socket that does not accept is closed at once. It is closed with
   * the master at the latest.
   *
   * @throws IllegalArgumentException if {@code remoteSocketPath} is null, blank, not absolute, has
   *     a control character (NUL, newline, ...) or is longer than 107 bytes in UTF-8
   * @throws SshOperationException if the forward cannot be opened, or the server does not forward
   *     to UNIX sockets (the embedded server)
   */
  Forward forwardLocalSocket(String remoteSocketPath);

  /**
   * Copies the local file {@code local} to {@code remotePath} on the server over SFTP on the
   * master, within the default command timeout ({@code muxtest.exec.timeout}); see {@link
   * #upload(Path, String, Duration)}.
   */
  default void upload(Path local, String remotePath) {
    upload(local, remotePath, commandTimeout());
  }

  /**
   * Copies the local file {@code local} to {@code remotePath} on the server over SFTP on the
   * master, in one of its sessions. The bytes are streamed (the heap does not grow with the file);
   * an existing target is overwritten (a file the upload creates gets the local file's mode, as
   * with {@code sftp}); no directories are made. A relative {@code remotePath} is relative to the
   * login directory, and is taken literally (no globbing). MINA: an SFTP client on the master's own
   * session ({@code sshd-sftp}). OpenSSH: the {@code sftp} program beside {@code ssh}, as a
   * multiplexing client of the master's control socket that cannot open a connection of its own.
   *
   * @throws IllegalArgumentException if an argument is null, {@code remotePath} is blank, a path
   *     holds a control character (newline, NUL, ...), or {@code timeout} is not positive or over
   *     24 hours
   * @throws SshOperationException naming the path and the reason if {@code local} is not a readable
   *     file, the server refuses (no such directory, a directory at {@code remotePath}, permission
   *     denied), the transfer does not end within {@code timeout} or the thread is interrupted (it
   *     is then ended), or the master is closed
   */
  void upload(Path local, String remotePath, Duration timeout);

  /**
   * Copies {@code remotePath} on the server to the local file {@code local} over SFTP on the
   * master, within the default command timeout ({@code muxtest.exec.timeout}); see {@link
   * #download(String, Path, Duration)}.
   */
  default void download(String remotePath, Path local) {
    download(remotePath, local, commandTimeout());
  }

  /**
   * Copies {@code remotePath} on the server to the local file {@code local} over SFTP on the
   * master, in one of its sessions: streamed into a new 0600 file beside {@code local}, which gets
   * the remote file's mode and replaces {@code local} in one rename once all of it arrived (a
   * failure leaves {@code local} as it was); making no directories; the remote path is taken
   * literally (no globbing). The engines work as for {@link #upload(Path, String, Duration)}.
   *
   * @throws IllegalArgumentException as {@link #upload(Path, String, Duration)}, or if {@code
   *     local} is a symbolic link (a download never writes through one)
   * @throws SshOperationException naming the path and the reason if the remote file is missing or
   *     unreadable, a directory or not a regular file (a device, a FIFO), or larger than {@code
   *     muxtest.transfer.maxSize}; {@code local} is a directory or its directory is missing or not
   *     writable; the transfer does not end within {@code timeout} or the thread is interrupted (it
   *     is then ended); or the master is closed
   */
  void download(String remotePath, Path local, Duration timeout);
}
