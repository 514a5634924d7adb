package dev.muxtest;

import dev.muxtest.internal.junit.MuxtestExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/** Container of repeated {@link SshTunnel} declarations; write the repeated annotation instead. */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(MuxtestExtension.class)
public @interface SshTunnels {

  /** The repeated tunnel declarations. */
  SshTunnel[] value();
}
