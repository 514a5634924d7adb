package dev.muxtest.internal.container;

import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.testcontainers.containers.Container;
import org.testcontainers.images.builder.Transferable;

/**
 * The keys an sshd container authorises: those given to it, and fresh key pairs authorised in
 * batches, so that a master per class costs no command in the container for its key. The first
 * batch is written with the authorized_keys file when the container is created, each later one with
 * one command when the last is used up. Unused ones die with the container (their private halves
 * only ever in this JVM).
 */
public final class AuthorizedKeyPool {

  /** Keys in the first batch, written with the authorized_keys file when the container is made. */
  private static final int FIRST_KEY_BATCH = 8;

  /** Keys authorised by one command in the running container when the batch is used up. */
  private static final int KEY_BATCH = 16;

  private final Container<?> container;
  private final String authorizedKeysPath;
  private final List<PublicKey> given = new CopyOnWriteArrayList<>();

  /** Authorised, never handed out; made for the current container only. */
  private final Deque<KeyPair> readyKeys = new ArrayDeque<>();

  /** Handed out by {@link #newAuthorizedKeyPair()} and authorised in the current container. */
  private final Set<PublicKey> handedOut = ConcurrentHashMap.newKeySet();

  /** The keys of {@code container}, whose sshd reads them from {@code authorizedKeysPath}. */
  public AuthorizedKeyPool(Container<?> container, String authorizedKeysPath) {
    this.container = container;
    this.authorizedKeysPath = authorizedKeysPath;
  }

  /** Authorises {@code key} in every container made from now on. */
  public void add(PublicKey key) {
    given.add(key);
  }

  /** Authorises {@code key}, also in the running container (one command there). */
  public void authorize(PublicKey key) {
    if (handedOut.contains(key)) {
      return; // authorised with its batch
    }
    given.add(key);
    if (container.isRunning()) {
      append(List.of(key));
    } // else written when the container is created
  }

  /**
   * A key pair made for one caller alone and already authorised: never handed out before, and never
   * in any other container.
   *
   * @throws IllegalStateException if the container is not running
   */
  public KeyPair newAuthorizedKeyPair() {
    synchronized (readyKeys) {
      if (!container.isRunning()) {
        throw new IllegalStateException("The sshd container is not running");
      }
      if (readyKeys.isEmpty()) {
        List<KeyPair> batch = newKeyBatch(KEY_BATCH);
        append(batch.stream().map(KeyPair::getPublic).collect(Collectors.toList()));
        readyKeys.addAll(batch);
      }
      KeyPair key = readyKeys.poll();
      handedOut.add(key.getPublic());
      return key;
    }
  }

  /**
   * Writes the authorized_keys file of a container just created: the given keys and a first batch.
   * The keys of any earlier container are not authorised in it.
   */
  public void writeForNewContainer() {
    List<PublicKey> firstBatch;
    synchronized (readyKeys) {
      readyKeys.clear();
      handedOut.clear();
      readyKeys.addAll(newKeyBatch(FIRST_KEY_BATCH));
      firstBatch = readyKeys.stream().map(KeyPair::getPublic).collect(Collectors.toList());
    }
    String keys =
        Stream.concat(given.stream(), firstBatch.stream())
            .map(k -> KeyMaterial.publicKeyLine(k) + "\n")
            .collect(Collectors.joining());
    container.copyFileToContainer(
        Transferable.of(keys.getBytes(StandardCharsets.UTF_8), 0644), authorizedKeysPath);
  }

  private static List<KeyPair> newKeyBatch(int size) {
    List<KeyPair> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      batch.add(KeyMaterial.generate());
    }
    return batch;
  }

  /** Appends {@code keys} to the authorized_keys file of the running container: one command. */
  private void append(List<PublicKey> keys) {
    List<String> command =
        new ArrayList<>(
            List.of("sh", "-c", "printf '%s\\n' \"$@\" >> " + authorizedKeysPath, "sh"));
    keys.forEach(key -> command.add(KeyMaterial.publicKeyLine(key)));
    try {
      Container.ExecResult result = container.execInContainer(command.toArray(String[]::new));
      if (result.getExitCode() != 0) {
        throw new IllegalStateException(
            "Cannot authorize keys in the sshd container: " + result.getStderr().strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot authorize keys in the sshd container", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while authorizing keys in the sshd container", e);
    }
  }
}
