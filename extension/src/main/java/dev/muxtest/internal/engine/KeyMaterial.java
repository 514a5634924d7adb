package dev.muxtest.internal.engine;

import dev.muxtest.SshOperationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * Fresh key pairs and their OpenSSH text forms. Keys are never read from or written to the user's
 * own ~/.ssh.
 */
public final class KeyMaterial {

  /** ECDSA P-256: generated in milliseconds, understood by every OpenSSH in use. */
  private static final String KEY_TYPE = "ecdsa-sha2-nistp256";

  private static final int KEY_SIZE = 256;

  private KeyMaterial() {}

  /** A new key pair, never used before. */
  public static KeyPair generate() {
    try {
      return KeyUtils.generateKeyPair(KEY_TYPE, KEY_SIZE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot generate an " + KEY_TYPE + " key pair", e);
    }
  }

  /**
   * The key pair of an unencrypted private key file (OpenSSH or PEM format).
   *
   * @throws dev.muxtest.SshOperationException if it cannot be read, is encrypted, or holds no key
   */
  public static KeyPair load(Path file) {
    try {
      Iterable<KeyPair> keys = new FileKeyPairProvider(file).loadKeys(null);
      for (KeyPair key : keys) {
        return key;
      }
    } catch (RuntimeException e) {
      throw new SshOperationException(
          "Cannot read the identity file "
              + file
              + " (passphrase-protected keys are not supported): "
              + e.getMessage(),
          e);
    }
    throw new SshOperationException("The identity file " + file + " holds no key");
  }

  /** The private key in OpenSSH's own file format, unencrypted, as sshd reads a host key. */
  public static byte[] openSshPrivateKey(KeyPair keyPair, String comment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, comment, null, out);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Cannot encode a private key in OpenSSH format", e);
    }
    return out.toByteArray();
  }

  /** The public key as one authorized_keys / known_hosts entry: {@code type base64}. */
  public static String publicKeyLine(PublicKey key) {
    return PublicKeyEntry.toString(key);
  }

  /** The public key's SHA-256 fingerprint as OpenSSH logs it: {@code SHA256:<base64>}. */
  public static String fingerprint(PublicKey key) {
    return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
  }
}
