package dev.muxtest.internal.engine;

import dev.muxtest.ConnectionReport;
import dev.muxtest.Engine;
import dev.muxtest.ExecResult;
import dev.muxtest.Forward;
import dev.muxtest.RemoteProcess;
import dev.muxtest.SshMaster;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A master that hands every call to another: a view of a master overrides only what it changes (for
 * a test method, what opens something that the method must close).
 */
public abstract class ForwardingSshMaster implements SshMaster {

  private final SshMaster delegate;

  /** A view that forwards every call to {@code delegate}. */
  protected ForwardingSshMaster(SshMaster delegate) {
    this.delegate = delegate;
  }

  @Override
  public Engine engine() {
    return delegate.engine();
  }

  @Override
  public Duration commandTimeout() {
    return delegate.commandTimeout();
  }

  @Override
  public ExecResult exec(String command, Map<String, String> environment, Duration timeout) {
    return delegate.exec(command, environment, timeout);
  }

  @Override
  public Forward forwardLocal(String host, int port) {
    return delegate.forwardLocal(host, port);
  }

  @Override
  public Forward forwardRemote(int remotePort, String host, int port) {
    return delegate.forwardRemote(remotePort, host, port);
  }

  @Override
  public Forward forwardDynamic() {
    return delegate.forwardDynamic();
  }

  @Override
  public Forward forwardLocalSocket(String remoteSocketPath) {
    return delegate.forwardLocalSocket(remoteSocketPath);
  }

  @Override
  public void addAgentKey(KeyPair key) {
    delegate.addAgentKey(key);
  }

  @Override
  public boolean check() {
    return delegate.check();
  }

  @Override
  public void stopAccepting() {
    delegate.stopAccepting();
  }

  @Override
  public Optional<Path> controlPath() {
    return delegate.controlPath();
  }

  @Override
  public ConnectionReport connectionReport() {
    return delegate.connectionReport();
  }

  @Override
  public RemoteProcess start(String command) {
    return delegate.start(command);
  }

  @Override
  public RemoteProcess startWithTerminal(String command) {
    return delegate.startWithTerminal(command);
  }

  @Override
  public void upload(Path local, String remotePath, Duration timeout) {
    delegate.upload(local, remotePath, timeout);
  }

  @Override
  public void download(String remotePath, Path local, Duration timeout) {
    delegate.download(remotePath, local, timeout);
  }
}
