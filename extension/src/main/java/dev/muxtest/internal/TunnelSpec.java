package dev.muxtest.internal;

/**
 * A validated {@code @SshTunnel} declaration.
 *
 * @param name the tunnel's name, unique in its class
 * @param host destination host as seen from the server
 * @param port destination port as seen from the server
 */
public record TunnelSpec(String name, String host, int port) {}
