package dev.muxtest.internal.mina;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.EmbeddedSshServer;
import dev.muxtest.Engine;
import dev.muxtest.MasterOptions;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.EmbeddedEndpoint;
import dev.muxtest.internal.engine.Masters;
import dev.muxtest.internal.engine.Settings;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.Test;

/**
 * A command asked for while the connection is closing (a killed server, a lost network): MINA
 * refuses to register its channel with an IllegalStateException; the engine says the connection is
 * lost instead, so that a liveness check answers false rather than throwing.
 */
class MinaClosingSessionTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  @Test
  void aCommandOnAClosingSessionIsAnSshOperationException() throws Exception {
    try (EmbeddedSshServer server = new EmbeddedSshServer()) {
      server.start();
      MinaMaster master =
          (MinaMaster)
              Masters.connect(
                  new EmbeddedEndpoint(server),
                  MasterOptions.defaults().withEngine(Engine.MINA),
                  Settings.from(key -> Optional.empty()));
      try {
        // The window between isConnected() and the channel's registration, held open: the
        // session begins to close as a lost connection closes it.
        Field field = MinaMaster.class.getDeclaredField("session");
        field.setAccessible(true);
        ((ClientSession) field.get(master)).close(true);

        assertThatThrownBy(() -> master.execInSession("true", Map.of(), BOUND, BOUND))
            .isInstanceOf(SshOperationException.class)
            .hasMessageContaining("lost");
      } finally {
        master.close();
      }
    }
  }
}
