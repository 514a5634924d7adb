package dev.muxtest;

/**
 * A master that its caller owns, from {@link SshMasters}: close it (try-with-resources) to end its
 * forwards and its connection. After {@link #close()}, commands, forwards, {@link #addAgentKey} and
 * {@link #stopAccepting()} fail with {@link SshOperationException}, and {@link #check()} answers
 * false.
 */
public interface CloseableSshMaster extends SshMaster, AutoCloseable {

  /** Closes every forward, then the connection; idempotent, never throws a checked exception. */
  @Override
  void close();
}
