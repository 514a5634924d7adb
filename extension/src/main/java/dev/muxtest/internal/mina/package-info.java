/**
 * Not API: the Apache MINA SSHD engine. One hardened {@code SshClient} and one {@code
 * ClientSession} per master; commands are exec channels, forwards are direct-tcpip channels pumped
 * with back-pressure, remote and dynamic forwards go through MINA. Types here may change in any
 * release.
 */
package dev.muxtest.internal.mina;
