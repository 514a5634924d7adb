package dev.muxtest;

import dev.muxtest.internal.junit.MuxtestExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How a test class multiplexes: which engine holds its master connection. Also gives a class that
 * declares no {@link SshTunnel} a master, so that {@link SshMaster} can be injected.
 *
 * <pre>{@code
 * @SshMultiplexing(engine = Engine.OPENSSH)
 * class CliTest { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(MuxtestExtension.class)
public @interface SshMultiplexing {

  /**
   * The engine; {@link Engine#DEFAULT} takes the configuration parameter {@code muxtest.engine},
   * else MINA.
   */
  Engine engine() default Engine.DEFAULT;

  /**
   * OpenSSH's {@code ControlMaster} mode for the {@link Engine#OPENSSH} engine. The MINA engine
   * always holds a master of its own and accepts only {@link ControlMaster#AUTO} and {@link
   * ControlMaster#YES}.
   */
  ControlMaster controlMaster() default ControlMaster.AUTO;

  /**
   * How long the master lives: {@link Scope#CLASS} (one per class) or {@link Scope#SUITE} (one for
   * the run, shared by the classes that name the same server); {@link Scope#DEFAULT} takes the
   * configuration parameter {@code muxtest.scope}, else CLASS.
   */
  Scope scope() default Scope.DEFAULT;

  /**
   * Skip the class, instead of failing it, when it needs Docker and no Docker environment is
   * available (as Testcontainers' {@code @Testcontainers(disabledWithoutDocker = true)}). A class
   * whose server is an {@link EmbeddedSshServer} or an {@link SshHost} needs none, and runs.
   */
  boolean disabledWithoutDocker() default false;

  /**
   * Agent forwarding for every session of the master: an SSH agent held by the test JVM (keys added
   * with {@link SshMaster#addAgentKey}) is offered to the server, for hops onwards. Off by default:
   * a forwarded agent lets the server use its keys while the session lasts.
   */
  boolean forwardAgent() default false;
}
