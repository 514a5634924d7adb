package dev.muxtest.bench.setup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * Key pairs of the baselines (fresh clients and the OpenSSH CLI), made with Apache MINA SSHD's own
 * key utilities.
 */
final class BenchKeys {

  private BenchKeys() {}

  /** A new ECDSA P-256 key pair, the kind muxtest's masters use. */
  static KeyPair generate() {
    try {
      return KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot generate a key pair", e);
    }
  }

  /** The private key in OpenSSH's file format, unencrypted. */
  static byte[] openSshPrivateKey(KeyPair keyPair, String comment) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, comment, null, out);
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot encode a private key in OpenSSH format", e);
    }
    return out.toByteArray();
  }

  /** The public key as one known_hosts entry: {@code type base64}. */
  static String publicKeyLine(PublicKey key) {
    return PublicKeyEntry.toString(key);
  }
}
