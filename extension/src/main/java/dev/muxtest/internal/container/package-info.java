/**
 * Not API: the sshd container image (built from the files the jar carries) and containers the
 * extension starts and stops itself. Types here may change in any release.
 */
package dev.muxtest.internal.container;
