package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.github.dockerjava.api.model.Container;
import dev.muxtest.internal.container.Labels;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.assertj.core.api.Condition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;
import org.testcontainers.DockerClientFactory;

/**
 * Runs misconfigured fixture classes through the Jupiter engine and checks what the user is told:
 * exception type and exact message, and that class-level mistakes cost no container start.
 */
@Isolated("counts containers while fixtures run")
class MisconfigurationTest {

  private static final String HERE = "dev.muxtest.MisconfigurationTest$";

  @Test
  void duplicateTunnelNames() {
    assertRejectedBeforeAnyContainer(
        DuplicateNamesCase.class,
        Map.of(),
        "@SshTunnel on "
            + HERE
            + "DuplicateNamesCase: attribute 'name' must be unique in the class, "
            + "but \"db\" is declared 2 times");
  }

  @Test
  void missingPort() {
    assertRejectedBeforeAnyContainer(
        MissingPortCase.class,
        Map.of(),
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "MissingPortCase: attribute 'port' is missing or 0, and port 0 is not a destination port: "
            + "name the port the service listens on, 1 to 65535 (bindPort = 0 is what picks a free "
            + "local port)");
  }

  @Test
  void portZeroIsNotADestinationPort() {
    assertRejectedBeforeAnyContainer(
        PortZeroCase.class,
        Map.of(),
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "PortZeroCase: attribute 'port' is missing or 0, and port 0 is not a destination port: "
            + "name the port the service listens on, 1 to 65535 (bindPort = 0 is what picks a free "
            + "local port)");
  }

  @Test
  void unknownForwardedPortNameInATestMethod() {
    assertRejectedBeforeAnyContainer(
        UnknownNameCase.class,
        Map.of(),
        "@ForwardedPort(\"nope\") on parameter 1 (int) of "
            + HERE
            + "UnknownNameCase#unknownTunnel(int): no @SshTunnel with name \"nope\" is declared for"
            + " it; declared tunnels: [ssh]");
  }

  @Test
  void unknownForwardedPortNameInALifecycleMethod() {
    assertRejectedBeforeAnyContainer(
        UnknownNameInBeforeEachCase.class,
        Map.of(),
        "@ForwardedPort(\"mine\") on parameter 2 (java.net.InetSocketAddress) of "
            + HERE
            + "UnknownNameInBeforeEachCase#setUp(int, java.net.InetSocketAddress): no @SshTunnel with"
            + " name \"mine\" is declared for it; declared tunnels: [own, ssh]");
  }

  @Test
  void unknownForwardedPortNameInAConstructor() {
    assertRejectedBeforeAnyContainer(
        UnknownNameInConstructorCase.class,
        Map.of(),
        "@ForwardedPort(\"shh\") on parameter 1 (int) of "
            + HERE
            + "UnknownNameInConstructorCase(int): no @SshTunnel with name \"shh\" is declared for"
            + " it; declared tunnels: [ssh]");
  }

  @Test
  void unknownForwardedPortNameInANestedClass() {
    assertRejectedBeforeAnyContainer(
        UnknownNameInNestedCase.class,
        Map.of(),
        "@ForwardedPort(\"nope\") on parameter 2 (int) of "
            + HERE
            + "UnknownNameInNestedCase$Inner#inner(int, int): no @SshTunnel with name \"nope\" is"
            + " declared for it; declared tunnels: [inner, ssh]");
  }

  @Test
  void portAboveRange() {
    assertRejectedBeforeAnyContainer(
        PortAboveRangeCase.class,
        Map.of(),
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "PortAboveRangeCase: attribute 'port' must be between 1 and 65535 "
            + "but was 70000");
  }

  @Test
  void negativePort() {
    assertRejectedBeforeAnyContainer(
        NegativePortCase.class,
        Map.of(),
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "NegativePortCase: attribute 'port' must be between 1 and 65535 "
            + "but was -1");
  }

  @Test
  void blankName() {
    assertRejectedBeforeAnyContainer(
        BlankNameCase.class,
        Map.of(),
        "@SshTunnel(host = \"localhost\", port = 5432) on "
            + HERE
            + "BlankNameCase: attribute 'name' must not be blank");
  }

  @Test
  void blankHost() {
    assertRejectedBeforeAnyContainer(
        BlankHostCase.class,
        Map.of(),
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "BlankHostCase: attribute 'host' must not be blank");
  }

  @Test
  void hostWithANulCharacter() {
    assertRejectedBeforeAnyContainer(
        NulHostCase.class,
        Map.of(),
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "NulHostCase: attribute 'host' must not contain control characters,"
            + " but has U+0000 at index 2");
  }

  @Test
  void dynamicTunnelWithAPort() {
    assertRejectedBeforeAnyContainer(
        DynamicWithPortCase.class,
        Map.of(),
        "@SshTunnel(name = \"socks\") on "
            + HERE
            + "DynamicWithPortCase: attribute 'port' must not be set for a "
            + "DYNAMIC forward, whose destinations are chosen per connection, but was 80");
  }

  @Test
  void dynamicTunnelWithAHost() {
    assertRejectedBeforeAnyContainer(
        DynamicWithHostCase.class,
        Map.of(),
        "@SshTunnel(name = \"socks\") on "
            + HERE
            + "DynamicWithHostCase: attribute 'host' must not be set for a "
            + "DYNAMIC forward, whose destinations are chosen per connection, but was \"db.internal\"");
  }

  @Test
  void remoteTunnelToANonLoopbackHost() {
    assertRejectedBeforeAnyContainer(
        RemoteToNonLoopbackCase.class,
        Map.of(),
        "@SshTunnel(name = \"callback\") on "
            + HERE
            + "RemoteToNonLoopbackCase: attribute 'host' must be a loopback "
            + "address (localhost, 127.0.0.1, ::1) for a REMOTE forward, whose destination is on the test machine, "
            + "but was \"192.168.1.10\"");
  }

  @Test
  void remoteTunnelWithoutPort() {
    assertRejectedBeforeAnyContainer(
        RemoteMissingPortCase.class,
        Map.of(),
        "@SshTunnel(name = \"callback\") on "
            + HERE
            + "RemoteMissingPortCase: attribute 'port' is missing or 0, and port 0 is not a destination"
            + " port: name the port on the test machine that a remote forward leads to, 1 to 65535"
            + " (bindPort = 0 is what picks a free port on the server)");
  }

  @Test
  void bindPortAboveRange() {
    assertRejectedBeforeAnyContainer(
        BindPortAboveRangeCase.class,
        Map.of(),
        "@SshTunnel(name = \"db\") on "
            + HERE
            + "BindPortAboveRangeCase: attribute 'bindPort' must be between "
            + "0 (a free port) and 65535 but was 65536");
  }

  @Test
  void methodTunnelsAreValidatedAndNeedAClassMaster() {
    EngineExecutionResults results = run(MethodTunnelCase.class, Map.of());

    results.testEvents().assertStatistics(stats -> stats.started(2).failed(2));
    assertFailure(
        results.testEvents(),
        test("dynamicWithPort"),
        ExtensionConfigurationException.class,
        "@SshTunnel(name = \"socks\") on "
            + HERE
            + "MethodTunnelCase#dynamicWithPort(): attribute 'port' must not "
            + "be set for a DYNAMIC forward, whose destinations are chosen per connection, but was 1080");
    assertFailure(
        results.testEvents(),
        test("noClassMaster"),
        ExtensionConfigurationException.class,
        "@SshTunnel on "
            + HERE
            + "MethodTunnelCase#noClassMaster(): the class has no SSH master; declare "
            + "@SshMultiplexing, a class-level @SshTunnel or an @SshServer field on "
            + HERE
            + "MethodTunnelCase");
  }

  @Test
  void nonStaticServerField() {
    assertRejectedBeforeAnyContainer(
        NonStaticServerCase.class,
        Map.of(),
        "@SshServer field 'server' in "
            + HERE
            + "NonStaticServerCase must be static: "
            + "the SSH server lives as long as the class");
  }

  @Test
  void serverFieldOfWrongType() {
    assertRejectedBeforeAnyContainer(
        WrongServerTypeCase.class,
        Map.of(),
        "@SshServer field 'server' in "
            + HERE
            + "WrongServerTypeCase must be of type dev.muxtest.SshTarget (SshdContainer, "
            + "EmbeddedSshServer, SshHost or UserMaster) but is java.lang.String");
  }

  @Test
  void nullServerField() {
    assertRejectedBeforeAnyContainer(
        NullServerCase.class,
        Map.of(),
        "@SshServer field 'server' in "
            + HERE
            + "NullServerCase is null; assign it, for example = new SshdContainer()");
  }

  @Test
  void twoServerFields() {
    assertRejectedBeforeAnyContainer(
        TwoServersCase.class,
        Map.of(),
        "@SshServer on "
            + HERE
            + "TwoServersCase: only one field may name the class's SSH server, but 2 do: "
            // Listed in JUnit's field order (deterministic, not declaration order).
            + "TwoServersCase.second, TwoServersCase.first");
  }

  @Test
  void invalidConfigurationParameter() {
    assertRejectedBeforeAnyContainer(
        ValidTunnelCase.class,
        Map.of("muxtest.connect.timeout", "soon"),
        "Configuration parameter 'muxtest.connect.timeout' must be a positive duration such as 30s, 500ms, 2m "
            + "or PT30S, but was 'soon'");
  }

  /**
   * One container for all parameter cases: the resolver only fails once the class's master and
   * tunnels are open, so these are failures of single test methods, not of the class.
   */
  @Test
  void forwardedPortParameters() {
    List<String> before = ownContainers();

    EngineExecutionResults results = run(ParameterCase.class, Map.of());

    results
        .containerEvents()
        .assertThatEvents()
        .haveExactly(1, event(container(ParameterCase.class), finishedSuccessfully()));
    results.testEvents().assertStatistics(stats -> stats.started(5).succeeded(2).failed(3));
    results
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1, event(test("resolvesTheTunnelAsIntIntegerAndAddress"), finishedSuccessfully()));
    // A name the test method declares itself passes the class's check of names.
    results
        .testEvents()
        .assertThatEvents()
        .haveExactly(1, event(test("resolvesTheMethodsOwnTunnel"), finishedSuccessfully()));
    assertFailure(
        results.testEvents(),
        test("stringParameter"),
        ParameterResolutionException.class,
        "Can only resolve @ForwardedPort parameter of type int, java.lang.Integer, java.net.InetSocketAddress "
            + "or java.net.Proxy but was: java.lang.String");
    assertFailure(
        results.testEvents(),
        test("longParameter"),
        ParameterResolutionException.class,
        "Can only resolve @ForwardedPort parameter of type int, java.lang.Integer, java.net.InetSocketAddress "
            + "or java.net.Proxy but was: long");
    assertFailure(
        results.testEvents(),
        test("proxyOnALocalTunnel"),
        ParameterResolutionException.class,
        "@ForwardedPort(\"ssh\") of type java.net.Proxy needs a DYNAMIC tunnel, but \"ssh\" is LOCAL; "
            + "inject its port as int, java.lang.Integer or java.net.InetSocketAddress");
    // The probe must see the container this class did start, or its silence elsewhere proves
    // nothing.
    assertThat(containersSeenByProbe(results)).hasSize(before.size() + 1).containsAll(before);
    assertThat(ownContainers()).as("muxtest containers after the class").isEqualTo(before);
  }

  /**
   * Runs {@code fixture} and checks that its class-level setup failed with exactly the expected
   * {@link ExtensionConfigurationException}, no test ran, and no container existed at any point.
   */
  private static void assertRejectedBeforeAnyContainer(
      Class<?> fixture, Map<String, String> parameters, String message) {
    List<String> before = ownContainers();

    EngineExecutionResults results = run(fixture, parameters);

    assertFailure(
        results.containerEvents(),
        container(fixture),
        ExtensionConfigurationException.class,
        message);
    results.testEvents().assertStatistics(stats -> stats.started(0));
    // Taken while the class's extension store, which would stop a started container, is still open.
    assertThat(containersSeenByProbe(results))
        .as("muxtest containers while %s ran", fixture.getSimpleName())
        .isEqualTo(before);
    assertThat(ownContainers())
        .as("muxtest containers after %s", fixture.getSimpleName())
        .isEqualTo(before);
  }

  private static EngineExecutionResults run(Class<?> fixture, Map<String, String> parameters) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(fixture))
        .configurationParameters(parameters)
        .execute();
  }

  private static void assertFailure(
      Events events, Condition<Event> which, Class<? extends Throwable> type, String message) {
    events
        .assertThatEvents()
        .haveExactly(1, event(which, finishedWithFailure(instanceOf(type), message(message))));
    Throwable thrown =
        events
            .failed()
            .filter(which::matches)
            .findFirst()
            .flatMap(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable())
            .orElseThrow();
    assertThat(thrown).isExactlyInstanceOf(type).hasMessage(message).hasNoSuppressedExceptions();
  }

  private static List<String> containersSeenByProbe(EngineExecutionResults results) {
    List<String> seen =
        results
            .allEvents()
            .reportingEntryPublished()
            .map(
                e ->
                    e.getRequiredPayload(ReportEntry.class)
                        .getKeyValuePairs()
                        .get(ContainerProbe.KEY))
            .filter(Objects::nonNull)
            .toList();
    assertThat(seen).as("reports of the container probe").hasSize(1);
    String ids = seen.get(0);
    return ids.equals("-") ? List.of() : List.of(ids.split(","));
  }

  /** IDs of the sshd containers this JVM's Testcontainers session made, stopped ones included. */
  static List<String> ownContainers() {
    return DockerClientFactory.instance()
        .client()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(
            Map.of(
                Labels.SSHD,
                "true",
                // Other builds may share the Docker engine; only this JVM's containers are ours to
                // count.
                DockerClientFactory.TESTCONTAINERS_SESSION_ID_LABEL,
                DockerClientFactory.SESSION_ID))
        .exec()
        .stream()
        .map(Container::getId)
        .sorted()
        .toList();
  }

  /**
   * Reports this JVM's sshd containers after the fixture class. After-all callbacks run even when
   * setup failed, and before the class's store is closed, so a container the extension started
   * would still be there to see.
   */
  static final class ContainerProbe implements AfterAllCallback {
    static final String KEY = "muxtest.test.containers";

    @Override
    public void afterAll(ExtensionContext context) {
      List<String> ids = ownContainers();
      context.publishReportEntry(KEY, ids.isEmpty() ? "-" : String.join(",", ids));
    }
  }

  // Fixtures: run only through the engine test kit (Surefire skips nested classes).

  @SshTunnel(name = "db", port = 5432)
  @SshTunnel(name = "db", port = 5433)
  @ExtendWith(ContainerProbe.class)
  static class DuplicateNamesCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db")
  @ExtendWith(ContainerProbe.class)
  static class MissingPortCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", port = 70000)
  @ExtendWith(ContainerProbe.class)
  static class PortAboveRangeCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", port = -1)
  @ExtendWith(ContainerProbe.class)
  static class NegativePortCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = " ", port = 5432)
  @ExtendWith(ContainerProbe.class)
  static class BlankNameCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", host = " ", port = 5432)
  @ExtendWith(ContainerProbe.class)
  static class BlankHostCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "db", host = "db\0x", port = 5432)
  @ExtendWith(ContainerProbe.class)
  static class NulHostCase {
    @Test
    void notRun() {}
  }

  // No class-level annotation: the field's own @ExtendWith must be enough to get it checked.
  @ExtendWith(ContainerProbe.class)
  static class NonStaticServerCase {
    @SshServer SshdContainer server = new SshdContainer();

    @Test
    void notRun() {}
  }

  @ExtendWith(ContainerProbe.class)
  static class WrongServerTypeCase {
    @SshServer static String server = "sshd";

    @Test
    void notRun() {}
  }

  @ExtendWith(ContainerProbe.class)
  static class NullServerCase {
    @SshServer static SshdContainer server;

    @Test
    void notRun() {}
  }

  @ExtendWith(ContainerProbe.class)
  static class TwoServersCase {
    // Left null: the count is checked first, and no container object is needed to see it.
    @SshServer static SshdContainer first;

    @SshServer static SshdContainer second;

    @Test
    void notRun() {}
  }

  @SshTunnel(name = "ssh", port = 22)
  @ExtendWith(ContainerProbe.class)
  static class ValidTunnelCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "ssh", port = 22)
  @ExtendWith(ContainerProbe.class)
  static class ParameterCase {
    @Test
    void resolvesTheTunnelAsIntIntegerAndAddress(
        @ForwardedPort("ssh") int port,
        @ForwardedPort("ssh") Integer boxed,
        @ForwardedPort("ssh") InetSocketAddress address) {
      assertThat(port).isBetween(1, 65535);
      assertThat(boxed).isEqualTo(port);
      assertThat(address.getAddress().isLoopbackAddress()).isTrue();
      assertThat(address.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(address.getPort()).isEqualTo(port);
    }

    @Test
    @SshTunnel(name = "mine", port = 22)
    void resolvesTheMethodsOwnTunnel(
        @ForwardedPort("mine") int mine, @ForwardedPort("ssh") int ssh) {
      assertThat(mine).isBetween(1, 65535).isNotEqualTo(ssh);
    }

    @Test
    void stringParameter(@ForwardedPort("ssh") String port) {}

    @Test
    void longParameter(@ForwardedPort("ssh") long port) {}

    @Test
    void proxyOnALocalTunnel(@ForwardedPort("ssh") Proxy proxy) {}
  }

  @SshTunnel(name = "ssh", port = 22)
  @ExtendWith(ContainerProbe.class)
  static class UnknownNameCase {
    @Test
    void resolves(@ForwardedPort("ssh") int port) {}

    @Test
    void unknownTunnel(@ForwardedPort("nope") int port) {}
  }

  /** "mine" is a tunnel of one test method: a lifecycle method of every test cannot have it. */
  @SshTunnel(name = "ssh", port = 22)
  @ExtendWith(ContainerProbe.class)
  static class UnknownNameInBeforeEachCase {
    @BeforeEach
    void setUp(@ForwardedPort("ssh") int port, @ForwardedPort("mine") InetSocketAddress mine) {}

    @Test
    @SshTunnel(name = "own", port = 22)
    void notRun(@ForwardedPort("own") int own) {}
  }

  @SshTunnel(name = "ssh", port = 22)
  @ExtendWith(ContainerProbe.class)
  static class UnknownNameInConstructorCase {
    UnknownNameInConstructorCase(@ForwardedPort("shh") int port) {}

    @Test
    void notRun() {}
  }

  /** Checked with the enclosing class, before its server starts. */
  @SshTunnel(name = "ssh", port = 22)
  @ExtendWith(ContainerProbe.class)
  static class UnknownNameInNestedCase {
    @Test
    void notRun() {}

    @Nested
    @SshTunnel(name = "inner", port = 22)
    class Inner {
      @Test
      void inner(@ForwardedPort("ssh") int outer, @ForwardedPort("nope") int port) {}
    }
  }

  @SshTunnel(name = "db", port = 0)
  @ExtendWith(ContainerProbe.class)
  static class PortZeroCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "socks", type = ForwardType.DYNAMIC, port = 80)
  @ExtendWith(ContainerProbe.class)
  static class DynamicWithPortCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "socks", type = ForwardType.DYNAMIC, host = "db.internal")
  @ExtendWith(ContainerProbe.class)
  static class DynamicWithHostCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "callback", type = ForwardType.REMOTE, host = "192.168.1.10", port = 8080)
  @ExtendWith(ContainerProbe.class)
  static class RemoteToNonLoopbackCase {
    @Test
    void notRun() {}
  }

  @SshTunnel(name = "callback", type = ForwardType.REMOTE)
  @ExtendWith(ContainerProbe.class)
  static class RemoteMissingPortCase {
    @Test
    void notRun() {}
  }

  /** Method-level declarations only: the class has no master, and validation comes first. */
  static class MethodTunnelCase {
    @Test
    @SshTunnel(name = "socks", type = ForwardType.DYNAMIC, port = 1080)
    void dynamicWithPort() {}

    @Test
    @SshTunnel(name = "db", port = 5432)
    void noClassMaster() {}
  }

  @SshTunnel(name = "db", port = 5432, bindPort = 65536)
  @ExtendWith(ContainerProbe.class)
  static class BindPortAboveRangeCase {
    @Test
    void notRun() {}
  }
}
