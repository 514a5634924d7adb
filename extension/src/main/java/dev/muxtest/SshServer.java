package dev.muxtest;

import dev.muxtest.internal.junit.MuxtestExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a {@code static} field holding the {@link SshTarget} of the test class: an {@link
 * SshdContainer} (or a subclass), an {@link EmbeddedSshServer}, an {@link SshHost} or a {@link
 * UserMaster}; the field may be declared as any of these types or as {@link SshTarget}.
 *
 * <p>A container or an embedded server is started by the extension if it is not running yet, and
 * then also stopped after the class (after the run, in SUITE scope); one that was already running
 * is left running. An {@link SshHost} or a {@link UserMaster} is outside the test, used as it is.
 * Without such a field the class uses its enclosing class's server, else a default server started
 * for it: an {@link SshdContainer}, or an {@link EmbeddedSshServer} with the configuration
 * parameter {@code muxtest.defaultServer=embedded}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@ExtendWith(MuxtestExtension.class)
public @interface SshServer {}
