package dev.muxtest.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.Engine;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import dev.muxtest.SshServer;
import dev.muxtest.UserMaster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A class riding a master the developer opened by hand ({@code ssh -M -S ... -f -N}), for hosts
 * whose login asks for a second factor. Here {@link StandInMaster} opens it, through the stand-in
 * staging network's bastion, and ends it after the class: your own master is yours to end.
 */
// Registered before muxtest, so that it ends the stand-ins after muxtest's end-of-class proof.
@ExtendWith(StandInMaster.EndAfterTheClass.class)
// README:start
@SshMultiplexing(engine = Engine.OPENSSH)
class YourOwnMasterTest {

  // In your repository: the socket of `ssh -M -S ~/.ssh/staging.ctl -f -N app.internal`, e.g.
  // UserMaster.ofControlSocket(Path.of(System.getProperty("user.home"), ".ssh/staging.ctl")).
  @SshServer static UserMaster server = UserMaster.ofControlSocket(StandInMaster.controlSocket());

  @Test
  void runsOverYourMaster(SshMaster master) {
    assertThat(master.exec("hostname").stdout()).isEqualTo("app\n");
    assertThat(master.connectionReport().clientTcpConnections())
        .isZero(); // your master's connection, not one of ours
  }
}
// README:end
