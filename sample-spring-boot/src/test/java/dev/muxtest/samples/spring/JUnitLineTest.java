package dev.muxtest.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/**
 * This module runs on the JUnit line Spring Boot 3.5 manages (5.12), not the parent's: muxtest
 * works on what the user's framework brings.
 */
class JUnitLineTest {

  @Test
  void runsOnSpringBootsJUnitLine() {
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    assertThat(Test.class.getPackage().getImplementationVersion())
        .as("junit-jupiter-api on the class path")
        .startsWith("5.12.");
  }
}
