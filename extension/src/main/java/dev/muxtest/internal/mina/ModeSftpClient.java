package dev.muxtest.internal.mina;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpErrorDataHandler;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.DefaultCloseableHandle;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * MINA's SFTP client, with an open for writing that carries the file's mode, as OpenSSH's {@code
 * sftp} does. MINA's own open sends no attributes, so a new file took the server's default (0644
 * under the usual umask), and a reader who opened it then kept reading what followed: a mode set
 * after the open would come too late.
 */
final class ModeSftpClient extends DefaultSftpClient {

  /** Opens an SFTP channel on {@code session}, negotiating the version as MINA's factory does. */
  ModeSftpClient(ClientSession session) throws IOException {
    super(session, SftpVersionSelector.CURRENT, SftpErrorDataHandler.EMPTY);
  }

  /**
   * Opens {@code path} for writing, created or truncated; a file it creates gets {@code mode &
   * 0777} (within the server's umask, as with sftp); an existing file keeps its mode.
   */
  OutputStream create(String path, int mode, int bufferSize) throws IOException {
    Buffer buffer = new ByteArrayBuffer(path.length() + Long.SIZE, false);
    buffer = putReferencedName(SftpConstants.SSH_FXP_OPEN, buffer, path, 0);
    // The same flags as MINA's open with Write, Create and Truncate, for each protocol version.
    if (getVersion() < SftpConstants.SFTP_V5) {
      buffer.putInt(
          SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT | SftpConstants.SSH_FXF_TRUNC);
    } else {
      buffer.putInt(SftpConstants.ACE4_WRITE_DATA | SftpConstants.ACE4_WRITE_ATTRIBUTES);
      buffer.putInt(SftpConstants.SSH_FXF_CREATE_TRUNCATE);
    }
    SftpClient.Attributes attributes = new SftpClient.Attributes();
    attributes.setType(SftpConstants.SSH_FILEXFER_TYPE_REGULAR);
    attributes.setPermissions(mode & 0777);
    buffer = writeAttributes(SftpConstants.SSH_FXP_OPEN, buffer, attributes);
    DefaultCloseableHandle handle =
        new DefaultCloseableHandle(this, path, checkHandle(SftpConstants.SSH_FXP_OPEN, buffer));
    return new SftpOutputStreamAsync(this, bufferSize, path, handle);
  }
}
