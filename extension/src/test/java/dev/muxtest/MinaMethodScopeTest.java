package dev.muxtest;

/** Method-scoped forwards on the MINA engine. */
@SshMultiplexing(engine = Engine.MINA)
class MinaMethodScopeTest extends MethodScopeConformance {}
