package dev.muxtest.internal.mina;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.TcpForwardingFilter.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The filter decides on the host as written; names are never resolved, so no DNS is involved. */
class LoopbackForwardingFilterTest {

  private static final LoopbackForwardingFilter FILTER = LoopbackForwardingFilter.INSTANCE;

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1", "localhost", "127.0.0.2"})
  void allowsLoopback(String host) {
    SshdSocketAddress address = new SshdSocketAddress(host, 8080);

    assertThat(FILTER.canListen(address, null)).as("canListen(%s)", host).isTrue();
    for (Type type : Type.values()) {
      assertThat(FILTER.canConnect(type, address, null))
          .as("canConnect(%s, %s)", type, host)
          .isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "0.0.0.0", "192.168.1.10", "example.org"})
  void refusesEverythingElse(String host) {
    SshdSocketAddress address = new SshdSocketAddress(host, 8080);

    assertThat(FILTER.canListen(address, null)).as("canListen(%s)", host).isFalse();
    for (Type type : Type.values()) {
      assertThat(FILTER.canConnect(type, address, null))
          .as("canConnect(%s, %s)", type, host)
          .isFalse();
    }
  }

  /**
   * Other spellings of loopback are refused too (fail closed): proving them loopback would take
   * parsing or resolving that the filter does not do, and a wrong guess would open a forward off
   * loopback.
   */
  @ParameterizedTest
  @ValueSource(strings = {"[::1]", "::ffff:127.0.0.1", "LOCALHOST", "127.1", "2130706433"})
  void refusesLoopbackSpelledOtherwise(String host) {
    SshdSocketAddress address =
        new SshdSocketAddress(host, 8080) {
          @Override
          public String getHostName() {
            return host; // as the peer wrote it
          }
        };

    assertThat(FILTER.canListen(address, null)).as("canListen(%s)", host).isFalse();
    for (Type type : Type.values()) {
      assertThat(FILTER.canConnect(type, address, null))
          .as("canConnect(%s, %s)", type, host)
          .isFalse();
    }
  }

  /** MINA normalises "" to 0.0.0.0; this address hands the filter the empty name as it is. */
  @Test
  void refusesTheEmptyHostNameItself() {
    SshdSocketAddress empty =
        new SshdSocketAddress("", 8080) {
          @Override
          public String getHostName() {
            return "";
          }
        };

    assertThat(FILTER.canListen(empty, null)).isFalse();
    assertThat(FILTER.canConnect(Type.Direct, empty, null)).isFalse();
    assertThat(FILTER.canConnect(Type.Forwarded, empty, null)).isFalse();
  }

  @Test
  void refusesAgentAndX11Forwarding() {
    assertThat(FILTER.canForwardAgent(null, "auth-agent-req@openssh.com")).isFalse();
    assertThat(FILTER.canForwardX11(null, "x11-req")).isFalse();
  }
}
