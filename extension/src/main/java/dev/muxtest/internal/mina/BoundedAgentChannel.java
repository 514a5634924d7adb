package dev.muxtest.internal.mina;

import dev.muxtest.internal.engine.AgentConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.local.LocalAgentFactory;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.ChannelOutputStream;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.AbstractServerChannel;

/**
 * A channel the server opens ({@code auth-agent@openssh.com}) to reach the agent the master
 * forwards. Not MINA's own ({@code ChannelAgentForwarding}): that buffers whatever length a message
 * announces and takes any number of channels, so a hostile server fills the test JVM's heap. This
 * one reads through {@link AgentConnection} (a message over its cap closes the channel) and refuses
 * a channel while {@link AgentConnection#MAX_CONNECTIONS} of the session are open, as the OpenSSH
 * engine's agent socket does. A bad channel costs only itself, never the session.
 */
final class BoundedAgentChannel extends AbstractServerChannel {

  static final String TYPE = "auth-agent@openssh.com";

  private static final System.Logger LOG = System.getLogger(BoundedAgentChannel.class.getName());
  private static final AttributeKey<Semaphore> OPEN_CHANNELS = new AttributeKey<>();

  private final AgentConnection connection;
  private final AtomicBoolean holdsSlot = new AtomicBoolean();
  private volatile boolean refused;
  private OutputStream out;

  private BoundedAgentChannel(SshAgent agent) {
    super(TYPE, List.of(), null);
    this.connection = new AgentConnection(agent);
  }

  /**
   * An agent for a MINA client whose sessions forward it through these channels only (MINA's own
   * agent channel types are not served).
   */
  static LocalAgentFactory agentFactory() {
    return new LocalAgentFactory() {
      @Override
      public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
        SshAgent agent = getAgent();
        return List.of(
            new ChannelFactory() {
              @Override
              public String getName() {
                return TYPE;
              }

              @Override
              public Channel createChannel(Session session) {
                return new BoundedAgentChannel(agent);
              }
            });
      }
    };
  }

  @Override
  protected OpenFuture doInit(Buffer buffer) {
    OpenFuture opened = new DefaultOpenFuture(this, this);
    Semaphore slots =
        getSession()
            .computeAttributeIfAbsent(
                OPEN_CHANNELS, key -> new Semaphore(AgentConnection.MAX_CONNECTIONS));
    if (!slots.tryAcquire()) {
      IOException tooMany =
          new IOException(
              "more than "
                  + AgentConnection.MAX_CONNECTIONS
                  + " agent channels open at once; this one is refused");
      LOG.log(Level.WARNING, "The server of {0} opened {1}", getSession(), tooMany.getMessage());
      signalChannelOpenFailure(tooMany);
      opened.setException(tooMany);
      return opened;
    }
    holdsSlot.set(true);
    addCloseFutureListener(
        closed -> {
          if (holdsSlot.getAndSet(false)) {
            slots.release();
          }
        });
    out =
        new ChannelOutputStream(
            this, getRemoteWindow(), log, SshConstants.SSH_MSG_CHANNEL_DATA, true);
    signalChannelOpenSuccess();
    opened.setOpened();
    return opened;
  }

  @Override
  protected void doWriteData(byte[] data, int offset, long length) throws IOException {
    if (refused) {
      return; // closing: nothing more is read, and the window stays shut
    }
    try {
      connection.take(data, offset, (int) length, this::reply);
      getLocalWindow().release(length); // what is buffered is bounded by the cap, not the window
    } catch (AgentConnection.TooLong e) {
      LOG.log(Level.WARNING, "The server of {0} {1}", getSession(), e.getMessage());
      refuse();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "Agent channel of " + getSession() + " ended: " + e);
      refuse();
    }
  }

  @Override
  protected void doWriteExtendedData(byte[] data, int offset, long length) {
    LOG.log(Level.WARNING, "The server of {0} sent extended data to the agent", getSession());
    refuse();
  }

  private void reply(byte[] framedReply) throws IOException {
    out.write(framedReply);
    out.flush();
  }

  private void refuse() {
    refused = true;
    close(false);
  }
}
