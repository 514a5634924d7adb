package dev.muxtest.internal.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a class holds is released newest first, all of it, even when one release fails. */
class ResourcesTest {

  @Test
  void closesNewestFirst() {
    List<String> closed = new ArrayList<>();
    Resources resources = new Resources("SomeTest");
    resources.push(() -> closed.add("server"));
    resources.push(() -> closed.add("master"));
    resources.push(() -> closed.add("tunnel"));

    resources.close();

    assertThat(closed).containsExactly("tunnel", "master", "server");
  }

  @Test
  void aFailureDoesNotStopTheRestAndTheFirstIsThrownWithTheOthersSuppressed() {
    List<String> closed = new ArrayList<>();
    Resources resources = new Resources("SomeTest");
    resources.push(() -> closed.add("server"));
    resources.push(
        () -> {
          throw new IOException("master would not close");
        });
    resources.push(
        () -> {
          throw new IllegalStateException("tunnel would not close");
        });

    assertThatThrownBy(resources::close)
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("tunnel would not close")
        .satisfies(
            failure ->
                assertThat(failure.getSuppressed())
                    .singleElement()
                    .satisfies(
                        suppressed ->
                            assertThat(suppressed)
                                .hasMessageStartingWith("muxtest: closing ")
                                .hasMessageEndingWith(" of SomeTest failed")
                                .hasCauseInstanceOf(IOException.class)));
    assertThat(closed).containsExactly("server");
  }

  @Test
  void closingTwiceClosesNothingTwice() {
    List<String> closed = new ArrayList<>();
    Resources resources = new Resources("SomeTest");
    resources.push(() -> closed.add("master"));

    resources.close();
    resources.close();

    assertThat(closed).containsExactly("master");
  }
}
