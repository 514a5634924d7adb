package dev.muxtest.internal.embedded;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;

/**
 * The {@code session} channels of the embedded server, as OpenSSH's sshd treats them: at most
 * {@code maxSessions} open at once on one connection (its MaxSessions; more are refused as
 * "administratively prohibited"), and only the environment variables the reference sshd image
 * accepts ({@code AcceptEnv LANG LC_* MUXTEST_*}), so that a client cannot set {@code PATH} or
 * {@code LD_PRELOAD} for the test machine's shell.
 */
final class SessionChannels implements ChannelFactory {

  /** Session channels open on one connection. */
  private static final AttributeKey<AtomicInteger> OPEN = new AttributeKey<>();

  private final int maxSessions;

  /** Session channels, at most {@code maxSessions} at once per connection. */
  public SessionChannels(int maxSessions) {
    this.maxSessions = maxSessions;
  }

  @Override
  public String getName() {
    return "session";
  }

  @Override
  public Channel createChannel(Session session) throws IOException {
    return new LimitedSession();
  }

  /** Whether an environment variable of that name is passed to commands, as sshd's AcceptEnv. */
  static boolean accepted(String name) {
    return name.equals("LANG") || name.startsWith("LC_") || name.startsWith("MUXTEST_");
  }

  /** The names {@link #accepted} lets through, for documentation and messages. */
  static final List<String> ACCEPTED_ENV = List.of("LANG", "LC_*", "MUXTEST_*");

  private boolean tryOpen(Session session) {
    AtomicInteger open = session.computeAttributeIfAbsent(OPEN, key -> new AtomicInteger());
    while (true) {
      int now = open.get();
      if (now >= maxSessions) {
        return false;
      }
      if (open.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  private static void closed(Session session) {
    AtomicInteger open = session.getAttribute(OPEN);
    if (open != null) {
      open.decrementAndGet();
    }
  }

  private final class LimitedSession extends ChannelSession {

    private final AtomicBoolean counted = new AtomicBoolean();

    @Override
    protected OpenFuture doInit(Buffer buffer) {
      Session session = getSession();
      if (!tryOpen(session)) {
        OpenFuture refused = new DefaultOpenFuture(this, this);
        try {
          refused.setException(
              new SshChannelOpenException(
                  getChannelId(),
                  SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                  "MaxSessions " + maxSessions + " reached on this connection"));
        } finally {
          close(true);
        }
        return refused;
      }
      counted.set(true);
      addChannelListener(
          new ChannelListener() {
            @Override
            public void channelClosed(Channel channel, Throwable reason) {
              if (counted.compareAndSet(true, false)) {
                closed(session);
              }
            }
          });
      return super.doInit(buffer);
    }

    /**
     * As MINA's own, but with the exit status sent before the end of output, as sshd sends it:
     * output, {@code exit-status}, EOF, close. MINA's order (EOF first) lets OpenSSH's multiplexing
     * master now and then close the session before it reads the status, so its client exits 255.
     */
    @Override
    protected void closeShell(int exitValue, boolean closeImmediately) throws IOException {
      if (isClosing()) {
        commandExitFuture.setClosed();
        return;
      }
      if (out != null) {
        out.flush();
      }
      if (err != null) {
        err.flush();
      }
      sendExitStatus(exitValue);
      if (out != null) {
        out.close();
      }
      sendEof();
      commandExitFuture.setClosed();
      close(closeImmediately);
    }

    @Override
    protected RequestHandler.Result handleEnvParsed(String name, String value) throws IOException {
      return accepted(name)
          ? super.handleEnvParsed(name, value)
          : RequestHandler.Result.ReplyFailure;
    }
  }
}
