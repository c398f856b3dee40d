package io.chorus.gossip;

/**
 * Counters of a {@link Gossiper} since it was made. Immutable snapshot.
 *
 * @param rounds rounds run
 * @param messagesSent requests sent (SYNs, ACK2s) and replies given (ACKs, empty ACK2 replies, errors not counted)
 * @param messagesReceived requests served (SYNs, ACK2s, refused ones included) and ACKs received
 * @param bytesSent body bytes of the messages sent
 * @param bytesReceived body bytes of the messages received
 * @param statesMerged full node states taken because they were newer than the one held
 * @param heartbeatsMerged heartbeats (a newer version of a state held, nothing else new) taken
 * @param ringStatesAdopted ring states taken because they superseded the one held (gossiped or offered)
 * @param convictions times a node was judged down by the failure detector
 * @param rejoins times a convicted node was heard from again and judged alive
 * @param outagesEnded heartbeats that came after a silence long enough to convict, so their node's detector
 *     history started afresh ({@link PhiAccrualDetector#outagesEnded()}): returns of dead or cut-off nodes, and
 *     what a pause of this node would cause if the guard did not catch it first
 * @param pausesDetected pauses of this node the detector's guard detected (see {@link PhiAccrualDetector#tick})
 * @param refusedSyns SYNs and ACK2s refused for naming another cluster (or coming from this node itself)
 * @param malformed requests and replies whose body did not decode
 * @param failedExchanges SYNs and ACK2s that got no reply in time, or an error
 * @param listenerFailures listener calls that threw
 */
public record GossipStats(long rounds, long messagesSent, long messagesReceived, long bytesSent, long bytesReceived,
        long statesMerged, long heartbeatsMerged, long ringStatesAdopted, long convictions, long rejoins,
        long outagesEnded, long pausesDetected, long refusedSyns, long malformed, long failedExchanges,
        long listenerFailures) {
}
