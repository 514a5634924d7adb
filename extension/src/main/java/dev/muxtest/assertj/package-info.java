/**
 * AssertJ entry points for muxtest's types: {@link dev.muxtest.assertj.MuxAssertions}. AssertJ is
 * an optional dependency of the library; these classes need it on the test class path, the rest of
 * muxtest does not.
 */
package dev.muxtest.assertj;
