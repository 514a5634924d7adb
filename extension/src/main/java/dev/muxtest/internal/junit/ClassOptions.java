package dev.muxtest.internal.junit;

import dev.muxtest.ControlMaster;
import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.Scope;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.internal.engine.Settings;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * How a class's master is opened and how long it lives: its own {@link SshMultiplexing}, else its
 * enclosing class's, else the configured defaults.
 *
 * @param master engine (never DEFAULT), ControlMaster mode and agent forwarding
 * @param scope CLASS or SUITE, never DEFAULT
 */
record ClassOptions(MasterOptions master, Scope scope) {

  /**
   * Resolves the options of {@code testClass}.
   *
   * @throws ExtensionConfigurationException if the annotation combines a mode its engine lacks
   */
  static ClassOptions of(Class<?> testClass, Optional<ClassOptions> enclosing, Settings settings) {
    Optional<SshMultiplexing> declared =
        AnnotationSupport.findAnnotation(testClass, SshMultiplexing.class);
    if (declared.isEmpty()) {
      return enclosing.orElse(
          new ClassOptions(
              MasterOptions.defaults().withEngine(settings.engine()), settings.scope()));
    }
    SshMultiplexing multiplexing = declared.get();
    Engine engine =
        multiplexing.engine() == Engine.DEFAULT
            ? enclosing.map(o -> o.master().engine()).orElse(settings.engine())
            : multiplexing.engine();
    if (engine == Engine.MINA && multiplexing.controlMaster() == ControlMaster.NO) {
      throw new ExtensionConfigurationException(
          String.format(
              "@SshMultiplexing(engine = MINA, controlMaster = NO) on %s: attribute 'controlMaster' NO is an "
                  + "OpenSSH engine mode; the MINA engine always holds one master (use engine = OPENSSH)",
              testClass.getName()));
    }
    Scope scope =
        multiplexing.scope() == Scope.DEFAULT
            ? enclosing.map(ClassOptions::scope).orElse(settings.scope())
            : multiplexing.scope();
    return new ClassOptions(
        MasterOptions.defaults()
            .withEngine(engine)
            .withControlMaster(multiplexing.controlMaster())
            .withForwardAgent(multiplexing.forwardAgent()),
        scope);
  }
}
