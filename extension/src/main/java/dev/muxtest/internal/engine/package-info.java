/**
 * Not API: the engine layer shared by both SSH engines. {@link
 * dev.muxtest.internal.engine.EngineMaster} is what the JUnit wiring and {@code SshMasters} need of
 * a master; {@link dev.muxtest.internal.engine.AbstractEngineMaster} holds what both engines do
 * alike (state, exec overloads, session budget, forward registry, readiness checks, report); {@link
 * dev.muxtest.internal.engine.ServerEndpoint} is a server as a master sees it. Types here may
 * change in any release.
 */
package dev.muxtest.internal.engine;
