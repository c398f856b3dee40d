/**
 * The Chorus wire protocol (docs/protocol.md): error-code mapping and the exception that carries a remote error.
 * {@code .protocol} holds the pure message bodies (no Netty); {@code .netty} the frame codec, the server, client
 * connections and {@code NettyTransport}.
 */
package io.chorus.transport;
