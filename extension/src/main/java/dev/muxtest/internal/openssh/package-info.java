/**
 * Not API: the OpenSSH engine. The system's {@code ssh} runs the master ({@code ssh -M}) on a
 * control socket in a private directory, from a generated config; commands are multiplexing clients
 * ({@code ssh -S}), forwards are added and removed with {@code ssh -O}. Types here may change in
 * any release.
 */
package dev.muxtest.internal.openssh;
