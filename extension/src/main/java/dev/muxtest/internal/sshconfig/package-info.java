/**
 * Not API: the reader behind {@code SshHost.fromSshConfig} and {@code SshHost.fromUserSshConfig}.
 * It reads an ssh config the way OpenSSH's {@code readconf.c} and {@code match.c} do, for the
 * keywords that decide where and how to connect, and refuses what it does not follow. Types here
 * may change in any release.
 */
package dev.muxtest.internal.sshconfig;
