package dev.muxtest.internal.engine;

import dev.muxtest.SshOperationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.util.security.SecurityUtils;

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
   * @throws SshOperationException if it cannot be read, is passphrase-protected, or holds no
   *     private key
   */
  public static KeyPair load(Path file) {
    // MINA's FileKeyPairProvider logs and skips a key it cannot read (an encrypted one included),
    // which would surface only as "no key"; this reader throws, and asks for a passphrase only for
    // an encrypted key, which is how one is told apart.
    boolean[] encrypted = {false};
    FilePasswordProvider noPassphrase =
        (session, resource, retryIndex) -> {
          encrypted[0] = true;
          return null;
        };
    Iterable<KeyPair> keys;
    try (InputStream in = Files.newInputStream(file)) {
      keys =
          SecurityUtils.loadKeyPairIdentities(
              null, NamedResource.ofName(file.toString()), in, noPassphrase);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      if (encrypted[0]) {
        throw new SshOperationException(
            "The identity file "
                + file
                + " is passphrase-protected; passphrase-protected keys are not supported (muxtest"
                + " never asks for a passphrase): give a key without one",
            e);
      }
      throw new SshOperationException(
          "Cannot read the identity file " + file + ": " + e.getMessage(), e);
    }
    if (keys != null) {
      for (KeyPair key : keys) {
        return key;
      }
    }
    throw new SshOperationException(
        "The identity file "
            + file
            + " holds no private key (an unencrypted OpenSSH or PEM private key is needed)");
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
