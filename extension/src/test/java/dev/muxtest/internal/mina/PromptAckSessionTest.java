package dev.muxtest.internal.mina;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.kex.extension.KexExtensions;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.junit.jupiter.api.Test;

/** Which of the server's messages the MINA session acknowledges at once, read without consuming. */
class PromptAckSessionTest {

  @Test
  void messagesThisSideNeverAnswersAreAcknowledged() {
    for (byte command :
        new byte[] {
          SshConstants.SSH_MSG_SERVICE_ACCEPT,
          KexExtensions.SSH_MSG_EXT_INFO,
          SshConstants.SSH_MSG_DEBUG
        }) {
      Buffer message = message(command);
      message.putString("payload");
      int position = message.rpos();

      assertThat(PromptAckSession.followedByTheServer(message)).as("command %d", command).isTrue();
      assertThat(message.rpos()).as("nothing consumed").isEqualTo(position);
    }
  }

  @Test
  void aGlobalRequestIsAcknowledgedOnlyWhenItWantsNoReply() {
    assertThat(
            PromptAckSession.followedByTheServer(globalRequest("hostkeys-00@openssh.com", false)))
        .isTrue();
    assertThat(PromptAckSession.followedByTheServer(globalRequest("keepalive@openssh.com", true)))
        .as("its reply is the acknowledgement")
        .isFalse();
  }

  @Test
  void aTruncatedGlobalRequestOrAnyOtherMessageIsNot() {
    Buffer truncated = message(SshConstants.SSH_MSG_GLOBAL_REQUEST);
    truncated.putUInt(1000); // a name longer than the message
    truncated.putRawBytes(new byte[] {'a', 'b'});
    assertThat(PromptAckSession.followedByTheServer(truncated)).isFalse();
    assertThat(PromptAckSession.followedByTheServer(message(SshConstants.SSH_MSG_GLOBAL_REQUEST)))
        .isFalse();
    for (byte command :
        new byte[] {
          SshConstants.SSH_MSG_IGNORE,
          SshConstants.SSH_MSG_CHANNEL_DATA,
          SshConstants.SSH_MSG_CHANNEL_OPEN_CONFIRMATION,
          SshConstants.SSH_MSG_USERAUTH_SUCCESS
        }) {
      Buffer message = message(command);
      message.putUInt(0);
      assertThat(PromptAckSession.followedByTheServer(message)).as("command %d", command).isFalse();
    }
  }

  private static Buffer globalRequest(String name, boolean wantReply) {
    Buffer request = message(SshConstants.SSH_MSG_GLOBAL_REQUEST);
    request.putString(name);
    request.putBoolean(wantReply);
    request.putString("more");
    return request;
  }

  private static Buffer message(byte command) {
    Buffer buffer = new ByteArrayBuffer();
    buffer.putByte(command);
    return buffer;
  }
}
