package dev.muxtest;

/** Method-scoped forwards on the OPENSSH engine. */
@SshMultiplexing(engine = Engine.OPENSSH)
class OpenSshMethodScopeTest extends MethodScopeConformance {}
