package io.chorus.testkit;

/**
 * Counters of what the simulated network did with messages (requests and replies together), for tests that
 * assert rates. A message counts once in {@code sent} and then in exactly one of {@code dropped},
 * {@code blocked} or the delivery outcomes; each duplicate copy adds one to {@code duplicated} and then counts like
 * any arrival. Immutable snapshot.
 *
 * @param sent messages put on the wire (duplicates not counted)
 * @param delivered arrivals handed to a handler or a waiting caller
 * @param dropped messages the random drop discarded
 * @param duplicated extra copies the random duplication made
 * @param blocked messages a partition stopped, at sending or on arrival
 * @param lost arrivals at a crashed node, replies a crashed node would have sent, and replies to a crashed caller
 * @param refused requests that reached a node with no open transport or no handler and got UNAVAILABLE
 * @param ignored replies that arrived after the request had ended (a duplicate, or after the timeout)
 * @param timedOut requests that ended with TIMEOUT
 * @param slowed copies (first deliveries and duplicates) put on the wire with the extra delay of a slow node
 */
public record NetworkStats(long sent, long delivered, long dropped, long duplicated, long blocked, long lost,
                           long refused, long ignored, long timedOut, long slowed) {
}
