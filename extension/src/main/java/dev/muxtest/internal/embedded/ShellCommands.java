package dev.muxtest.internal.embedded;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.server.shell.InvertedShell;
import org.apache.sshd.server.shell.InvertedShellWrapper;
import org.apache.sshd.server.shell.ShellFactory;

/**
 * Commands of the embedded server, run by the test machine's shell ({@link #SHELL}) as the JVM's
 * user, in the JVM's working directory, with the JVM's environment (less {@code SSH_AUTH_SOCK} and
 * {@code SSH_TTY}) plus the variables the session was given and its {@code SSH_CONNECTION}/{@code
 * SSH_CLIENT}: an exec request runs {@code <shell> -c <command>}, as sshd runs the user's login
 * shell; a shell request runs the shell reading its standard input. MINA's {@link
 * InvertedShellWrapper} pumps the streams. A command whose channel closes before it ends (a
 * timeout, a cancel, the server stopping) is killed with its child processes, so nothing of it is
 * left running on the test machine.
 */
public final class ShellCommands implements CommandFactory, ShellFactory {

  /**
   * The shell that runs commands: {@code /bin/bash}, the login shell of the reference sshd image's
   * user (so that commands written for it, such as bash's {@code /dev/tcp}, run alike), else {@code
   * /bin/sh}.
   */
  public static final String SHELL =
      Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";

  private final Set<Process> running = ConcurrentHashMap.newKeySet();

  @Override
  public Command createCommand(ChannelSession channel, String command) {
    return new InvertedShellWrapper(new TreeKillingShell(List.of(SHELL, "-c", command)));
  }

  @Override
  public Command createShell(ChannelSession channel) {
    return new InvertedShellWrapper(new TreeKillingShell(List.of(SHELL)));
  }

  /** Kills every command still running, with its child processes: the server is stopping. */
  public void killAll() {
    new ArrayList<>(running).forEach(ShellCommands::killTree);
  }

  /**
   * {@code SSH_CONNECTION} and {@code SSH_CLIENT} of the session, as sshd sets them: client address
   * and port, server address and port.
   */
  private static Map<String, String> connection(ChannelSession channel) {
    SocketAddress client = channel.getSession().getIoSession().getRemoteAddress();
    SocketAddress server = channel.getSession().getIoSession().getLocalAddress();
    if (client instanceof InetSocketAddress c && server instanceof InetSocketAddress s) {
      String clientAddress = c.getAddress().getHostAddress();
      return Map.of(
          "SSH_CONNECTION",
          clientAddress
              + " "
              + c.getPort()
              + " "
              + s.getAddress().getHostAddress()
              + " "
              + s.getPort(),
          "SSH_CLIENT",
          clientAddress + " " + c.getPort() + " " + s.getPort());
    }
    return Map.of();
  }

  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** One command's process. */
  private final class TreeKillingShell implements InvertedShell {

    private final List<String> command;
    private volatile ServerSession session;
    private volatile ChannelSession channel;
    private volatile Process process;

    TreeKillingShell(List<String> command) {
      this.command = command;
    }

    @Override
    public void setSession(ServerSession session) {
      this.session = session;
    }

    @Override
    public ServerSession getServerSession() {
      return session;
    }

    @Override
    public ChannelSession getServerChannelSession() {
      return channel;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
      this.channel = channel;
      ProcessBuilder builder = new ProcessBuilder(command);
      Map<String, String> environment = builder.environment();
      // The JVM's user's agent and terminal are not the session's: no agent forwarding, no pty.
      environment.remove("SSH_AUTH_SOCK");
      environment.remove("SSH_TTY");
      environment.putAll(env.getEnv());
      connection(channel).forEach(environment::put);
      Process started = builder.start();
      process = started;
      running.add(started);
      started.onExit().thenRun(() -> running.remove(started));
    }

    @Override
    public OutputStream getInputStream() {
      return process.getOutputStream();
    }

    @Override
    public InputStream getOutputStream() {
      return process.getInputStream();
    }

    @Override
    public InputStream getErrorStream() {
      return process.getErrorStream();
    }

    @Override
    public boolean isAlive() {
      return process.isAlive();
    }

    @Override
    public int exitValue() {
      try {
        return process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + command, e);
      }
    }

    /**
     * Called when the channel closes: a command that still runs is killed with its children; one
     * that ended is left as it is (its background children, like sshd's, live on).
     */
    @Override
    public void destroy(ChannelSession channel) {
      Process current = process;
      if (current == null) {
        return;
      }
      if (current.isAlive()) {
        killTree(current);
      }
      closeQuietly(current.getOutputStream());
      closeQuietly(current.getInputStream());
      closeQuietly(current.getErrorStream());
    }

    private static void closeQuietly(Closeable stream) {
      try {
        stream.close();
      } catch (IOException ignored) {
        // the process is gone; nothing more to release
      }
    }

    @Override
    public String toString() {
      return String.join(" ", command);
    }
  }
}
