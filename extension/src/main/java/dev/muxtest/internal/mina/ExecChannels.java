package dev.muxtest.internal.mina;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;

/** Ends an exec channel whose program may still run, for commands and processes alike. */
final class ExecChannels {

  private static final System.Logger LOG = System.getLogger(ExecChannels.class.getName());
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private ExecChannels() {}

  /**
   * Asks the server to KILL the program (when {@code signal} and the channel is still open), then
   * closes the channel, waiting a bounded time for the server's close. An interrupt of the caller
   * is set again only afterwards: this wait must not be cut short.
   *
   * @param what what runs on the channel, for the log ("a command", "a process")
   */
  static void end(ChannelExec channel, boolean signal, String what) {
    boolean interrupted = Thread.interrupted();
    try {
      if (signal && channel.isOpen() && !channel.isClosing()) {
        Buffer request =
            channel.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
        request.putUInt(channel.getRecipient());
        request.putString("signal");
        request.putBoolean(false);
        request.putString("KILL");
        channel.writePacket(request);
      }
      if (!channel.close(false).await(CLOSE_WAIT)) {
        channel.close(true);
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "Ending the channel of {0} failed: {1}", what, e.getMessage());
      channel.close(true);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
