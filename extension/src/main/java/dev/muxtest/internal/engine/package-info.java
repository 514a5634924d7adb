/**
 * Not API: the engine layer shared by both SSH engines. {@link EngineMaster} is what the JUnit
 * wiring and {@code SshMasters} need of a master; {@link AbstractEngineMaster} holds what every
 * master is (state, connection, session budget, liveness, report) and composes its capabilities:
 * {@link ForwardRegistry}, {@link ProcessRegistry}, {@link FileTransfers}; {@link ServerEndpoint}
 * is a server as a master sees it, and answers what it can do. Types here may change in any
 * release.
 */
package dev.muxtest.internal.engine;
