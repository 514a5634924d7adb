package dev.muxtest.internal.mina;

import java.io.IOException;
import org.apache.sshd.client.ClientFactoryManager;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSessionImpl;
import org.apache.sshd.client.session.SessionFactory;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.kex.extension.KexExtensions;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * A MINA client session that acknowledges at once, with an {@code SSH_MSG_IGNORE}, each message of
 * the server that this side never answers (see {@link #followedByTheServer}) and that the server
 * may follow with another one while this side has nothing to send.
 *
 * <p>Why: OpenSSH's sshd leaves Nagle's algorithm on for sessions without a terminal, so its next
 * small packet waits until this side acknowledges the last, and this side's TCP stack delays a bare
 * acknowledgement by 40 ms. A login met it twice: after the service accept (the answer to the
 * pipelined "none" authentication waited) and after authentication (the host keys and the
 * key-option debug messages sshd sends then held back the first channel's confirmation): 80 ms of a
 * master's start of about 150, measured with tcpdump against the container. The ignore message
 * carries the acknowledgement at once; the server discards it (RFC 4253, 11.2).
 */
final class PromptAckSession extends ClientSessionImpl {

  private PromptAckSession(ClientFactoryManager client, IoSession ioSession) throws Exception {
    super(client, ioSession);
  }

  /** Makes {@code client} open its sessions as this class. */
  static void install(SshClient client) {
    client.setSessionFactory(
        new SessionFactory(client) {
          @Override
          protected ClientSessionImpl doCreateSession(IoSession ioSession) throws Exception {
            return new PromptAckSession(getClient(), ioSession);
          }
        });
  }

  @Override
  protected void doHandleMessage(Buffer buffer) throws Exception {
    boolean followedByTheServer = followedByTheServer(buffer);
    super.doHandleMessage(buffer);
    if (followedByTheServer && isOpen()) {
      acknowledgeNow();
    }
  }

  /**
   * A message this side never answers: a service accept (its answer, the "none" request, went out
   * with the service request), extension info, a debug message, a global request that wants no
   * reply. Not an ignore message: a server that answered ignore with ignore would never stop. Read
   * without consuming it.
   */
  static boolean followedByTheServer(Buffer buffer) {
    int start = buffer.rpos();
    int command = buffer.rawByte(start) & 0xff;
    if (command == SshConstants.SSH_MSG_SERVICE_ACCEPT
        || command == KexExtensions.SSH_MSG_EXT_INFO
        || command == SshConstants.SSH_MSG_DEBUG) {
      return true;
    }
    if (command != SshConstants.SSH_MSG_GLOBAL_REQUEST || buffer.available() < 5) {
      return false;
    }
    long nameLength = 0;
    for (int i = 1; i <= 4; i++) {
      nameLength = (nameLength << 8) | (buffer.rawByte(start + i) & 0xff);
    }
    long wantReply = start + 5 + nameLength;
    return wantReply < buffer.wpos() && buffer.rawByte((int) wantReply) == 0;
  }

  private void acknowledgeNow() {
    try {
      sendIgnoreMessage();
    } catch (IOException closing) {
      // the connection is going away: nothing is waiting for this acknowledgement any more
    }
  }
}
