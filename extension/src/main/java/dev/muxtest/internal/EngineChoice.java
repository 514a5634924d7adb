package dev.muxtest.internal;

import dev.muxtest.ControlMaster;
import dev.muxtest.Engine;
import dev.muxtest.Scope;
import dev.muxtest.SshMultiplexing;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The engine, ControlMaster mode and scope of a class: its own {@link SshMultiplexing}, else its
 * enclosing class's choice, else the configured default.
 *
 * @param engine MINA or OPENSSH, never DEFAULT
 * @param controlMaster the ControlMaster mode
 * @param scope CLASS or SUITE, never DEFAULT
 * @param forwardAgent whether the master forwards the test JVM's agent
 */
public record EngineChoice(Engine engine, ControlMaster controlMaster, Scope scope, boolean forwardAgent) {

  /**
   * Resolves the choice of {@code testClass}.
   *
   * @throws ExtensionConfigurationException if the annotation combines a mode its engine lacks
   */
  public static EngineChoice of(Class<?> testClass, Optional<EngineChoice> enclosing, Settings settings) {
    Optional<SshMultiplexing> declared = AnnotationSupport.findAnnotation(testClass, SshMultiplexing.class);
    if (declared.isEmpty()) {
      return enclosing.orElse(new EngineChoice(settings.engine(), ControlMaster.AUTO, settings.scope(), false));
    }
    SshMultiplexing multiplexing = declared.get();
    Engine engine = multiplexing.engine() == Engine.DEFAULT
        ? enclosing.map(EngineChoice::engine).orElse(settings.engine())
        : multiplexing.engine();
    if (engine == Engine.MINA && multiplexing.controlMaster() == ControlMaster.NO) {
      throw new ExtensionConfigurationException(String.format(
          "@SshMultiplexing(engine = MINA, controlMaster = NO) on %s: attribute 'controlMaster' NO is an "
              + "OpenSSH engine mode; the MINA engine always holds one master (use engine = OPENSSH)",
          testClass.getName()));
    }
    Scope scope = multiplexing.scope() == Scope.DEFAULT
        ? enclosing.map(EngineChoice::scope).orElse(settings.scope())
        : multiplexing.scope();
    return new EngineChoice(engine, multiplexing.controlMaster(), scope, multiplexing.forwardAgent());
  }
}
