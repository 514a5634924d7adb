package dev.muxtest.internal.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.internal.engine.SshdLogLine;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.OutputFrame.OutputType;

/** The container's output as it streams in: logins by key, and where they are read from. */
class LoginIndexTest {

  private static final String KEY = "SHA256:key";
  private static final String LOGIN =
      SshdLogLine.acceptedPublicKey("tester", "172.17.0.1 port 40000", "ED25519", KEY);

  private final LoginIndex index = new LoginIndex("tester");

  private void print(String line) {
    index.accept(
        new OutputFrame(OutputType.STDERR, (line + "\n").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void whileTheStreamIsFollowedItsLinesAnswerWithoutReadingTheLog() {
    print("Server listening on 0.0.0.0 port 22.");
    print(LOGIN);
    print(SshdLogLine.acceptedPublicKey("tester", "172.17.0.1 port 40001", "RSA", "SHA256:other"));

    assertThat(
            index.soFar(
                KEY,
                () -> true,
                () -> {
                  throw new AssertionError("the log is not read while the stream is followed");
                }))
        .containsExactly(LOGIN);
    assertThat(index.recentLog()).hasSize(3).first().asString().startsWith("Server listening");
  }

  @Test
  void afterTheStreamEndsTheLogIsReadWhileTheContainerRunsElseTheStreamedLinesAreAll() {
    print(LOGIN);
    index.accept(OutputFrame.END);

    assertThat(index.soFar(KEY, () -> true, () -> LOGIN + "\n" + LOGIN + "\n"))
        .containsExactly(LOGIN, LOGIN);
    assertThat(index.soFar(KEY, () -> false, () -> "")).containsExactly(LOGIN);
  }

  @Test
  void aNewContainerForgetsTheLoginsButNotTheRecentLog() {
    print(LOGIN);

    index.reset();

    assertThat(index.soFar(KEY, () -> false, () -> "")).isEmpty();
    assertThat(index.recentLog()).containsExactly(LOGIN);
  }
}
