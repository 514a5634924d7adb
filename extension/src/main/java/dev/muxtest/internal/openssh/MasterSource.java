package dev.muxtest.internal.openssh;

import dev.muxtest.ControlMaster;
import dev.muxtest.SshOperationException;
import dev.muxtest.internal.engine.OwnMasterEndpoint;
import dev.muxtest.internal.engine.ServerEndpoint;
import dev.muxtest.internal.engine.Settings;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.local.LocalAgentFactory;

/**
 * Where the master behind an {@link OpenSshMaster}'s control socket comes from, chosen once when it
 * connects: a master of the engine's own, which it starts and ends ({@link MasterProcess}), or the
 * user's own ({@code UserMaster}), which it only uses ({@link BorrowedMaster}).
 */
sealed interface MasterSource {

  /** The agent socket's name: as short as the control socket's, so it fits wherever that fits. */
  String AGENT_SOCKET = "agt";

  /** The user's master for an endpoint of the user's own master, else one of the engine's own. */
  static MasterSource of(ServerEndpoint server) {
    return server instanceof OwnMasterEndpoint own ? new Users(own) : new Own(server);
  }

  /** The control socket, given the engine's private directory. */
  Path controlPath(Path directory);

  /**
   * Writes the config and makes the client and the link that drive the master, not started yet.
   *
   * @throws SshOperationException if the options do not fit this master
   */
  Link prepare(Setup setup);

  /**
   * What the engine holds to drive its master.
   *
   * @param agentSocket the JVM's agent socket the master uses; null without agent forwarding
   */
  record Link(MuxClient client, MasterLink link, JvmAgentSocket agentSocket) {}

  /**
   * The engine's side of a master: its private directory, control path, key, settings and options;
   * {@code agentHolder} takes the JVM's agent when the master forwards one, {@code onJvmExit}
   * closes the engine if the JVM ends first.
   */
  record Setup(
      Path directory,
      Path controlPath,
      KeyPair identity,
      Settings settings,
      ControlMaster mode,
      boolean forwardAgent,
      Consumer<SshAgent> agentHolder,
      Runnable onJvmExit) {

    MuxClient client(Path config) {
      return new MuxClient(
          settings.sshExecutable(),
          config,
          directory,
          mode,
          settings.connectTimeout(),
          settings.maxOutput());
    }
  }

  /**
   * A master of the engine's own ({@code ssh -M}) on a socket in its private directory; with agent
   * forwarding, an SSH agent of the test JVM serves a socket there, which the master uses as its
   * {@code IdentityAgent} and forwards ({@code ForwardAgent yes}) for every session.
   */
  record Own(ServerEndpoint server) implements MasterSource {
    @Override
    public Path controlPath(Path directory) {
      return directory.resolve(ControlDirectory.SOCKET);
    }

    @Override
    public Link prepare(Setup setup) {
      JvmAgentSocket agentSocket = null;
      if (setup.forwardAgent()) {
        LocalAgentFactory agents = new LocalAgentFactory();
        setup.agentHolder().accept(agents.getAgent());
        agentSocket =
            JvmAgentSocket.serve(agents.getAgent(), setup.directory().resolve(AGENT_SOCKET));
      }
      try {
        Path config =
            OpenSshConfig.write(
                setup.directory(),
                server,
                setup.identity(),
                setup.settings(),
                setup.controlPath(),
                Optional.ofNullable(agentSocket).map(JvmAgentSocket::path));
        MuxClient client = setup.client(config);
        Path log = setup.directory().resolve("master.log");
        return new Link(
            client,
            new MasterProcess(client, setup.controlPath(), log, setup.onJvmExit()),
            agentSocket);
      } catch (RuntimeException e) {
        if (agentSocket != null) {
          agentSocket.close();
        }
        throw e;
      }
    }
  }

  /**
   * The user's own master: no key, no known_hosts, no master of the engine's; a config that makes
   * every ssh run a multiplexing client of the user's socket, and the master found answering there.
   */
  record Users(OwnMasterEndpoint own) implements MasterSource {
    @Override
    public Path controlPath(Path directory) {
      return own.controlSocket();
    }

    @Override
    public Link prepare(Setup setup) {
      if (setup.mode() == ControlMaster.NO) {
        throw new SshOperationException(
            "ControlMaster.NO opens a connection per command, which "
                + own.describe()
                + " never does: use ControlMaster.AUTO or YES");
      }
      if (setup.forwardAgent()) {
        throw new SshOperationException(
            "Agent forwarding is set when a master starts, and "
                + own.describe()
                + " was started by the user: forward the agent there (ssh -M -A ...) instead");
      }
      Path config =
          OpenSshConfig.writeOwnMaster(
              setup.directory(), setup.controlPath(), OwnMasterEndpoint.UNREACHABLE_HOST);
      MuxClient client = setup.client(config);
      return new Link(
          client, new BorrowedMaster(client, setup.controlPath(), setup.onJvmExit()), null);
    }
  }
}
