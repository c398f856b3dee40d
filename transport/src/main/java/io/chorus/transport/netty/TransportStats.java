package io.chorus.transport.netty;

/**
 * A snapshot of a server's connections. Immutable.
 *
 * @param clientConnections  connections open that said HELLO as a client
 * @param nodeConnections    connections open that said HELLO as a node
 * @param pendingHandshakes  connections accepted that have not said HELLO yet
 * @param unflushedBytes     reply bytes queued on client connections, not yet written to their sockets
 * @param unflushedLimitBytes the bound on those over all client connections (each may hold one reply beyond it)
 * @param refusedConnections since start: connections refused because their kind of slot was full
 * @param handshakeTimeouts  since start: connections closed for not saying HELLO in time, or to make room for a
 *                           newer one when every pending slot was taken
 * @param slowReadersClosed  since start: connections closed because their peer did not read its replies
 * @param refusedBySource    since start: connections closed on accept because their remote address already had
 *                           its maximum of connections or of pending handshakes
 * @param partialFrameBytes  bytes received and buffered now in incomplete frames over 64 KiB, on all connections
 * @param partialFrameLimitBytes the bound on those; a connection whose frame would go over it is closed
 * @param partialFrameRefusals since start: connections closed with OVERLOADED because that bound was reached
 * @param authenticationFailures since start: client HELLOs refused for a wrong password, missing credentials or
 *                           an error of the authenticator
 */
public record TransportStats(int clientConnections, int nodeConnections, int pendingHandshakes, long unflushedBytes,
        long unflushedLimitBytes,
        long refusedConnections, long handshakeTimeouts, long slowReadersClosed, long refusedBySource,
        long partialFrameBytes, long partialFrameLimitBytes, long partialFrameRefusals, long authenticationFailures) {
}
