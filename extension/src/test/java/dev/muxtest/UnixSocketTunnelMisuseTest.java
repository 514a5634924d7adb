package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import org.assertj.core.api.Condition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * {@code @SshTunnel(socket = ...)} declared wrongly, run through the Jupiter engine: the user is
 * told which attributes clash, before any test (or server) runs.
 */
class UnixSocketTunnelMisuseTest {

  private static final String HERE = "dev.muxtest.UnixSocketTunnelMisuseTest$";

  @Test
  void socketWithAHost() {
    assertClassRejected(
        SocketAndHostCase.class,
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "SocketAndHostCase: attributes 'socket' and 'host' exclude each other (the socket is"
            + " the destination), but host was \"db.internal\"");
  }

  @Test
  void socketWithAPort() {
    assertClassRejected(
        SocketAndPortCase.class,
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "SocketAndPortCase: attributes 'socket' and 'port' exclude each other (the socket is"
            + " the destination), but port was 5432");
  }

  @Test
  void socketOnARemoteForward() {
    assertClassRejected(
        SocketOnRemoteCase.class,
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "SocketOnRemoteCase: attribute 'socket' is for a LOCAL forward (to a UNIX socket on"
            + " the server), but attribute 'type' was REMOTE");
  }

  @Test
  void socketOnADynamicForward() {
    assertClassRejected(
        SocketOnDynamicCase.class,
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "SocketOnDynamicCase: attribute 'socket' is for a LOCAL forward (to a UNIX socket on"
            + " the server), but attribute 'type' was DYNAMIC");
  }

  @Test
  void relativeSocketPath() {
    assertClassRejected(
        RelativePathCase.class,
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "RelativePathCase: attribute 'socket' must be an absolute path (starting with '/'),"
            + " but was 'run/postgresql/.s.PGSQL.5432'");
  }

  @Test
  void socketPathWithANewline() {
    assertClassRejected(
        NewlineCase.class,
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "NewlineCase: attribute 'socket' must not contain a control character (NUL, newline,"
            + " ...)");
  }

  @Test
  void socketWithAHostOnAMethod() {
    EngineExecutionResults results = run(MethodCase.class);

    results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
    assertFailure(
        results.testEvents(),
        test("socketAndHost"),
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "MethodCase#socketAndHost(): attributes 'socket' and 'host' exclude each other (the"
            + " socket is the destination), but host was \"127.0.0.1\"");
  }

  private static void assertClassRejected(Class<?> fixture, String message) {
    EngineExecutionResults results = run(fixture);

    assertFailure(results.containerEvents(), container(fixture), message);
    results.testEvents().assertStatistics(stats -> stats.started(0));
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
  }

  private static void assertFailure(Events events, Condition<Event> which, String message) {
    events
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                which,
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class), message(message))));
    Throwable thrown =
        events
            .failed()
            .filter(which::matches)
            .findFirst()
            .flatMap(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable())
            .orElseThrow();
    assertThat(thrown)
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage(message);
  }

  // Fixtures: run only through the engine test kit (Surefire skips nested classes).

  @SshTunnel(name = "db", socket = "/run/postgresql/.s.PGSQL.5432", host = "db.internal")
  static class SocketAndHostCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", socket = "/run/postgresql/.s.PGSQL.5432", port = 5432)
  static class SocketAndPortCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", socket = "/run/postgresql/.s.PGSQL.5432", type = ForwardType.REMOTE)
  static class SocketOnRemoteCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", socket = "/run/postgresql/.s.PGSQL.5432", type = ForwardType.DYNAMIC)
  static class SocketOnDynamicCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", socket = "run/postgresql/.s.PGSQL.5432")
  static class RelativePathCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", socket = "/run/postgresql/\n.s.PGSQL.5432")
  static class NewlineCase {
    @Test
    void notRun() {}
  }

  static class MethodCase {
    @Test
    @SshTunnel(name = "db", socket = "/run/postgresql/.s.PGSQL.5432", host = "127.0.0.1")
    void socketAndHost() {}
  }
}
