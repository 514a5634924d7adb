package dev.muxtest.internal.mina;

import dev.muxtest.internal.engine.HostText;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * The server side of a SOCKS 4, 4a or 5 CONNECT request on one accepted socket of a dynamic
 * forward: reads the request, and answers it once the SSH channel to the destination has opened or
 * failed.
 *
 * <p>Why not MINA's own SOCKS proxy: it sends its success reply from the channel's open listener,
 * which may run after MINA has already written the destination's first data to the socket; a
 * destination that speaks first (an SSH banner, a greeting) then lost its first bytes to the
 * client's reading of the reply. Here the reply is written before the pump starts, on the same
 * thread, so it always precedes the data.
 *
 * <p>Reads are unbuffered: bytes a client sends right after its request belong to the destination,
 * not to this handshake.
 */
final class SocksHandshake {

  private static final int SOCKS4 = 4;
  private static final int SOCKS5 = 5;
  private static final int CONNECT = 1;
  private static final int MAX_STRING = 255;
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_.:-]+");

  private final Socket socket;
  private final int version;
  private final SshdSocketAddress destination;

  private SocksHandshake(Socket socket, int version, SshdSocketAddress destination) {
    this.socket = socket;
    this.version = version;
    this.destination = destination;
  }

  /**
   * Reads a CONNECT request from {@code socket}, within {@code timeout}; for SOCKS 5, first agrees
   * on no authentication.
   *
   * @throws IOException if the client sent something else (after answering it with a refusal where
   *     the protocol has one), or went quiet
   */
  static SocksHandshake read(Socket socket, Duration timeout) throws IOException {
    int previousTimeout = socket.getSoTimeout();
    socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int version = in.readUnsignedByte();
      SocksHandshake request =
          switch (version) {
            case SOCKS4 -> readSocks4(socket, in);
            case SOCKS5 -> readSocks5(socket, in);
            default ->
                throw new IOException("Not a SOCKS 4 or 5 request (version " + version + ")");
          };
      socket.setSoTimeout(previousTimeout);
      return request;
    } catch (SocketTimeoutException e) {
      throw new IOException("The SOCKS client sent no complete request within " + timeout, e);
    }
  }

  private static SocksHandshake readSocks4(Socket socket, DataInputStream in) throws IOException {
    int command = in.readUnsignedByte();
    int port = in.readUnsignedShort();
    byte[] address = in.readNBytes(4);
    readNulTerminated(in); // the user id: nothing here authenticates by it
    if (address.length < 4 || command != CONNECT) {
      reply4(socket.getOutputStream(), false);
      throw new IOException("Unsupported SOCKS 4 command " + command);
    }
    // SOCKS 4a: 0.0.0.x (x not 0) means the name that follows is to be resolved by the proxy
    boolean named = address[0] == 0 && address[1] == 0 && address[2] == 0 && address[3] != 0;
    String host =
        named
            ? readNulTerminated(in)
            : InetAddress.getByAddress(address).getHostAddress(); // a literal: no lookup
    if (named) {
      refuseBadName(host, () -> reply4(socket.getOutputStream(), false));
    }
    return new SocksHandshake(socket, SOCKS4, new SshdSocketAddress(host, port));
  }

  private static SocksHandshake readSocks5(Socket socket, DataInputStream in) throws IOException {
    OutputStream out = socket.getOutputStream();
    byte[] methods = in.readNBytes(in.readUnsignedByte());
    boolean noAuthentication = false;
    for (byte method : methods) {
      noAuthentication |= method == 0;
    }
    out.write(new byte[] {SOCKS5, (byte) (noAuthentication ? 0x00 : 0xFF)});
    out.flush();
    if (!noAuthentication) {
      throw new IOException("The SOCKS 5 client offers no method without authentication");
    }
    int version = in.readUnsignedByte();
    int command = in.readUnsignedByte();
    in.readUnsignedByte(); // reserved
    int addressType = in.readUnsignedByte();
    if (version != SOCKS5 || command != CONNECT) {
      reply5(out, 0x07); // command not supported
      throw new IOException(
          "Unsupported SOCKS 5 request: version " + version + ", command " + command);
    }
    String host =
        switch (addressType) {
          case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
          case 3 -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
          case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
          default -> {
            reply5(out, 0x08); // address type not supported
            throw new IOException("Unsupported SOCKS 5 address type " + addressType);
          }
        };
    int port = in.readUnsignedShort();
    if (addressType == 3) {
      refuseBadName(host, () -> reply5(out, 0x04)); // host unreachable
    }
    return new SocksHandshake(socket, SOCKS5, new SshdSocketAddress(host, port));
  }

  /**
   * Refuses a name that is not a plain host name, answering the client first: a NUL in a {@code
   * direct-tcpip} request makes OpenSSH's sshd drop the whole connection, every command and forward
   * of the master with it, and nothing but letters, digits and {@code . _ : -} belongs in a name.
   */
  private static void refuseBadName(String host, Refusal refusal) throws IOException {
    Optional<String> problem = HostText.problem(host);
    if (problem.isEmpty() && !PLAIN_NAME.matcher(host).matches()) {
      problem = Optional.of("holds characters other than letters, digits and . _ : -");
    }
    if (problem.isPresent()) {
      refusal.send();
      throw new IOException("Refused a SOCKS request: its host name " + problem.get());
    }
  }

  /** Sends a refusal to the client. */
  private interface Refusal {
    void send() throws IOException;
  }

  private static String readNulTerminated(DataInputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int b; (b = in.readUnsignedByte()) != 0; ) {
      if (bytes.size() == MAX_STRING) {
        throw new IOException("A SOCKS 4 string longer than " + MAX_STRING + " bytes");
      }
      bytes.write(b);
    }
    return bytes.toString(StandardCharsets.US_ASCII);
  }

  /** Where the client asked to connect: a name is resolved by the server, as OpenSSH's -D does. */
  SshdSocketAddress destination() {
    return destination;
  }

  /**
   * Tells the client that the connection stands; what follows on the socket is the destination's.
   */
  void granted() throws IOException {
    if (version == SOCKS4) {
      reply4(socket.getOutputStream(), true);
    } else {
      reply5(socket.getOutputStream(), 0x00);
    }
  }

  /** Tells the client that the server could not connect, with the SOCKS code nearest the cause. */
  void refused(Throwable cause) throws IOException {
    if (version == SOCKS4) {
      reply4(socket.getOutputStream(), false);
    } else {
      reply5(socket.getOutputStream(), replyCode(cause));
    }
  }

  /** RFC 1928's codes for the SSH open failure reasons of RFC 4254, 5.1. */
  private static int replyCode(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SshChannelOpenException open) {
        return switch (open.getReasonCode()) {
          case 1 -> 0x02; // administratively prohibited: not allowed by ruleset
          case 2 -> 0x05; // connect failed: connection refused
          default -> 0x01;
        };
      }
    }
    return 0x01; // general failure (a timeout, the connection lost)
  }

  /** A SOCKS 4 reply: granted (90) or rejected (91), with no bound address. */
  private static void reply4(OutputStream out, boolean granted) throws IOException {
    out.write(new byte[] {0, (byte) (granted ? 90 : 91), 0, 0, 0, 0, 0, 0});
    out.flush();
  }

  /** A SOCKS 5 reply with the bound address 0.0.0.0:0, as OpenSSH's -D answers. */
  private static void reply5(OutputStream out, int code) throws IOException {
    out.write(new byte[] {SOCKS5, (byte) code, 0, 1, 0, 0, 0, 0, 0, 0});
    out.flush();
  }
}
