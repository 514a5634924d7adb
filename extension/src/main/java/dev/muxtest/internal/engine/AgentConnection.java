package dev.muxtest.internal.engine;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentConstants;
import org.apache.sshd.agent.common.AbstractAgentClient;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * One connection of a server to the agent of the test JVM that a master forwards, on either engine
 * (the OpenSSH engine's agent socket, the MINA engine's agent channel). The server decides what
 * arrives, so messages are capped as OpenSSH's own agent caps them, an announced length is never
 * allocated beyond that cap, and several messages in one read are each answered.
 */
public final class AgentConnection {

  /** The largest agent message, as OpenSSH's {@code AGENT_MAX_LEN}; a longer one ends its peer. */
  public static final int MAX_MESSAGE = 256 * 1024;

  /** Agent connections served at once per master, as the OpenSSH engine's worker threads. */
  public static final int MAX_CONNECTIONS = 16;

  private static final System.Logger LOG = System.getLogger(AgentConnection.class.getName());

  /** Where the framed replies go, in order. */
  @FunctionalInterface
  public interface Replies {
    /** Sends one framed reply (its length in front). */
    void send(byte[] framedReply) throws IOException;
  }

  /** A message announced longer than {@link #MAX_MESSAGE} (or empty): its connection ends. */
  public static final class TooLong extends IOException {
    private static final long serialVersionUID = 1L;

    TooLong(long announced) {
      super(
          "a message of "
              + announced
              + " bytes announced (at most "
              + MAX_MESSAGE
              + "); the connection is closed");
    }
  }

  private final Protocol protocol;
  private final ByteBuffer header = ByteBuffer.allocate(4);
  private ByteBuffer message; // null while a header is read

  /** A connection to {@code agent}. */
  public AgentConnection(SshAgent agent) {
    this.protocol = new Protocol(agent);
  }

  /**
   * Takes the next {@code length} bytes the peer sent and answers each message they complete.
   *
   * @throws TooLong if a header announces an empty message or one over {@link #MAX_MESSAGE}
   * @throws IOException if {@code replies} cannot send
   */
  public void take(byte[] data, int offset, int length, Replies replies) throws IOException {
    int at = offset;
    int end = offset + length;
    while (at < end) {
      ByteBuffer target = message != null ? message : header;
      int n = Math.min(target.remaining(), end - at);
      target.put(data, at, n);
      at += n;
      if (target.hasRemaining()) {
        return;
      }
      if (message == null) {
        int announced = header.getInt(0); // unsigned on the wire: negative is above 2 GiB
        header.clear();
        if (announced <= 0 || announced > MAX_MESSAGE) {
          throw new TooLong(Integer.toUnsignedLong(announced));
        }
        message = ByteBuffer.allocate(announced);
      } else {
        byte[] whole = message.array();
        message = null;
        replies.send(protocol.answer(whole));
      }
    }
  }

  /** Whether the bytes taken so far end within a message. */
  public boolean withinMessage() {
    return message != null || header.position() > 0;
  }

  /**
   * MINA's agent protocol, one whole message at a time. Its own framing ({@code messageReceived})
   * answers one message per read, buffers any announced length, and frames its failure replies
   * wrongly (an extra 4 bytes before the failure code); this keeps only its dispatch.
   */
  private static final class Protocol extends AbstractAgentClient {

    Protocol(SshAgent agent) {
      super(agent);
    }

    /** The framed answer to {@code message} (the bytes after its length). */
    byte[] answer(byte[] message) {
      Buffer request = new ByteArrayBuffer(message);
      Buffer reply = emptyReply();
      int command = request.getUByte();
      try {
        process(command, request, reply);
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "SSH agent request {0} failed: {1}", command, e.toString());
        reply = emptyReply();
        reply.putByte(SshAgentConstants.SSH_AGENT_FAILURE);
      }
      Buffer framed = prepare(reply);
      byte[] bytes = new byte[framed.available()];
      System.arraycopy(framed.array(), framed.rpos(), bytes, 0, bytes.length);
      return bytes;
    }

    /** A reply buffer with room for its length in front, as {@link #prepare} expects. */
    private static Buffer emptyReply() {
      Buffer reply = new ByteArrayBuffer();
      reply.putUInt(0L);
      reply.rpos(reply.wpos());
      return reply;
    }

    @Override
    protected void reply(Buffer buffer) {
      throw new UnsupportedOperationException("answers go through answer()");
    }
  }
}
