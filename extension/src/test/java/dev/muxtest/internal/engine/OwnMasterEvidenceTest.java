package dev.muxtest.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rule of the own-master proof, on evidence made up here. */
class OwnMasterEvidenceTest {

  private static final Path SOCKET = Path.of("/tmp/ctl");
  private static final String SSH = "10.0.0.1:40000->10.0.0.9:22";

  private static OwnMasterEvidence evidence(
      long pidAfter,
      Optional<Set<String>> before,
      Optional<Set<String>> after,
      List<String> logins) {
    return new OwnMasterEvidence(
        SOCKET,
        100,
        pidAfter < 0 ? OptionalLong.empty() : OptionalLong.of(pidAfter),
        before,
        after,
        logins,
        true);
  }

  @Test
  void theSameMasterWithItsConnectionAndAForwardedOneRodeIt() {
    OwnMasterEvidence e =
        evidence(
            100,
            Optional.of(Set.of(SSH)),
            Optional.of(Set.of(SSH, "127.0.0.1:5000->127.0.0.1:41000")),
            List.of());

    assertThat(e.problems()).isEmpty();
    assertThat(e.summary())
        .isEqualTo(
            "all sessions rode the user's own master on /tmp/ctl (pid 100, still running; its TCP"
                + " connections held throughout: [10.0.0.1:40000->10.0.0.9:22]; no new login in"
                + " the server's log); muxtest opened no connection");
  }

  @Test
  void eachSignOfAnotherConnectionIsAProblem() {
    assertThat(evidence(-1, Optional.empty(), Optional.empty(), List.of()).problems())
        .containsExactly("the master (pid 100) no longer answers on /tmp/ctl (ssh -O check)");
    assertThat(evidence(101, Optional.empty(), Optional.empty(), List.of()).problems())
        .containsExactly(
            "another master answers on /tmp/ctl: pid 101 instead of 100, a connection of its own");
    assertThat(evidence(100, Optional.of(Set.of(SSH)), Optional.of(Set.of()), List.of()).problems())
        .containsExactly("the master no longer holds its TCP connection(s) [" + SSH + "]");
    assertThat(
            evidence(
                    100,
                    Optional.of(Set.of(SSH)),
                    Optional.of(Set.of(SSH, "10.0.0.1:40001->10.0.0.9:22")),
                    List.of())
                .problems())
        .containsExactly(
            "the master holds new TCP connection(s) to the server: [10.0.0.1:40001->10.0.0.9:22]");
    OwnMasterEvidence login =
        evidence(100, Optional.empty(), Optional.empty(), List.of("Accepted publickey for a"));
    assertThat(login.problems())
        .containsExactly("1 new login(s) in the server's log: Accepted publickey for a");
    assertThat(login.summary())
        .startsWith("NOT all sessions rode the user's own master on /tmp/ctl: 1 new login(s)");
  }

  @Test
  void withoutProcTheSummarySaysTheConnectionsWereNotRead() {
    assertThat(evidence(100, Optional.empty(), Optional.empty(), List.of()).summary())
        .contains("its TCP connections not readable here (no /proc)");
  }
}
