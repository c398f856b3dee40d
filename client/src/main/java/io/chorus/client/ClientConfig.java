package io.chorus.client;

import io.chorus.core.Clock;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * How a {@link ChorusClient} finds and talks to the cluster. Immutable; build with {@link #builder}.
 *
 * @param seeds              nodes to ask for the ring at start (any node of the cluster will do)
 * @param clientName         sent in the handshake; shows in the nodes' logs
 * @param connectionsPerNode multiplexed connections kept to each node (requests are spread over them; default
 *                           {@value #DEFAULT_CONNECTIONS_PER_NODE})
 * @param requestTimeoutMillis how long the client waits for a reply when a request sets no timeout of its own;
 *                           a request with a timeout waits that long plus {@code graceMillis}, so the node's own
 *                           TIMEOUT or QUORUM_NOT_MET answer (with its acks) arrives before the client gives up
 * @param graceMillis        see above
 * @param connectTimeoutMillis how long a connection attempt may take before the node counts as unreachable
 * @param downBackoffMillis  after a node could not be reached, how long requests skip it (then it is tried again)
 * @param ioThreads          event loop threads of the client (0 lets Netty pick)
 * @param callbackExecutor   where the futures the client returns complete: continuations never run on I/O threads
 * @param clock              time for the down back-off
 */
public record ClientConfig(List<InetSocketAddress> seeds, String clientName, int connectionsPerNode,
        long requestTimeoutMillis, long graceMillis, long connectTimeoutMillis, long downBackoffMillis,
        int ioThreads, Executor callbackExecutor, Clock clock) {

    public ClientConfig {
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one seed node is needed");
        }
        if (connectionsPerNode < 1 || requestTimeoutMillis < 1 || graceMillis < 0 || connectTimeoutMillis < 1
                || downBackoffMillis < 0 || ioThreads < 0) {
            throw new IllegalArgumentException("connections, timeouts and back-off must be positive");
        }
        if (callbackExecutor == null || clock == null || clientName == null) {
            throw new IllegalArgumentException("client name, callback executor and clock must be given");
        }
    }

    /**
     * Connections to each node unless set otherwise: one, as the DataStax driver for Cassandra keeps. Requests are
     * multiplexed, so one carries any number in flight, and the fewer the connections the more frames share each
     * syscall: with two per node, frames per write halved and a 3-node cluster served about a fifth fewer gets.
     * More help only when a few very large values would otherwise queue ahead of small replies.
     */
    public static final int DEFAULT_CONNECTIONS_PER_NODE = 1;

    public static Builder builder(List<InetSocketAddress> seeds) {
        return new Builder(seeds);
    }

    /** Collects settings; each has a default. Not thread-safe. */
    public static final class Builder {
        private final List<InetSocketAddress> seeds;
        private String clientName = "chorus-java-client";
        private int connectionsPerNode = DEFAULT_CONNECTIONS_PER_NODE;
        private long requestTimeoutMillis = 10_000;
        private long graceMillis = 1_000;
        private long connectTimeoutMillis = 2_000;
        private long downBackoffMillis = 1_000;
        private int ioThreads = 1;
        private Executor callbackExecutor = ForkJoinPool.commonPool();
        private Clock clock = Clock.system();

        private Builder(List<InetSocketAddress> seeds) {
            this.seeds = seeds;
        }

        public Builder clientName(String name) {
            this.clientName = name;
            return this;
        }

        public Builder connectionsPerNode(int n) {
            this.connectionsPerNode = n;
            return this;
        }

        public Builder requestTimeoutMillis(long millis) {
            this.requestTimeoutMillis = millis;
            return this;
        }

        public Builder graceMillis(long millis) {
            this.graceMillis = millis;
            return this;
        }

        public Builder connectTimeoutMillis(long millis) {
            this.connectTimeoutMillis = millis;
            return this;
        }

        public Builder downBackoffMillis(long millis) {
            this.downBackoffMillis = millis;
            return this;
        }

        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = executor;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(seeds, clientName, connectionsPerNode, requestTimeoutMillis, graceMillis,
                    connectTimeoutMillis, downBackoffMillis, ioThreads, callbackExecutor, clock);
        }
    }
}
