package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ExecResult}: bytes kept exactly and copied, the text view, the old constructor. */
class ExecResultTest {

  @Test
  void bytesAreCopiedInAndOut() {
    byte[] out = {1, 2, (byte) 0xff};
    ExecResult result = new ExecResult(0, out, new byte[] {(byte) 0xc0});

    out[0] = 9;
    result.stdoutBytes()[1] = 9;

    assertThat(result.stdoutBytes()).containsExactly(1, 2, 0xff);
    assertThat(result.stderrBytes()).containsExactly(0xc0);
    assertThat(result.stderr()).isEqualTo("\uFFFD");
  }

  @Test
  void theTextConstructorEncodesUtf8AndTakesNullAsEmpty() {
    ExecResult result = new ExecResult(3, "grüß", (String) null);

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.stdout()).isEqualTo("grüß");
    assertThat(result.stdoutBytes()).containsExactly("grüß".getBytes(StandardCharsets.UTF_8));
    assertThat(result.stderr()).isEmpty();
    assertThat(new ExecResult(0, (byte[]) null, null).stdoutBytes()).isEmpty();
  }

  @Test
  void resultsAreEqualByContent() {
    ExecResult text = new ExecResult(0, "a", "b");
    ExecResult bytes = new ExecResult(0, new byte[] {'a'}, new byte[] {'b'});

    assertThat(text).isEqualTo(bytes).hasSameHashCodeAs(bytes);
    assertThat(text).isNotEqualTo(new ExecResult(1, "a", "b"));
    assertThat(text).isNotEqualTo(new ExecResult(0, "a", "c"));
    assertThat(text.toString()).isEqualTo("ExecResult[exitCode=0, stdout=a, stderr=b]");
  }
}
