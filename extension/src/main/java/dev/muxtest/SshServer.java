package dev.muxtest;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a {@code static} field of type {@link SshdContainer} as the SSH server of the test class.
 *
 * <p>The extension starts the container if it is not running yet, and then also stops it after
 * the class; a container that was already running is left running. Without such a field the
 * extension starts a default {@link SshdContainer} for the class.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@ExtendWith(MuxtestExtension.class)
public @interface SshServer {}
