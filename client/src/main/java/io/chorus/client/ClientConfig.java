package io.chorus.client;

import io.chorus.core.Clock;
import io.chorus.transport.protocol.PasswordCredentials;
import io.chorus.transport.tls.TlsConfig;
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
 * @param requestTimeoutMillis how long the client waits for a reply when a request sets no timeout of its own
 *                           (default {@value #DEFAULT_REQUEST_TIMEOUT_MILLIS}: the node's default request timeout,
 *                           2000 ms, plus the default grace); a request with a timeout waits that long plus
 *                           {@code graceMillis}, so the node's own TIMEOUT or QUORUM_NOT_MET answer (with its acks)
 *                           arrives before the client gives up. No reply within this wait is what makes a node
 *                           suspect, so it is also how long a frozen node can stall a request: keep it close to the
 *                           nodes' timeout (raise it only if the nodes' request timeout is raised)
 * @param graceMillis        see above
 * @param connectTimeoutMillis how long a connection attempt may take before the node counts as unreachable
 * @param downBackoffMillis  after a node could not be reached, how long requests skip it (then it is tried again)
 * @param suspectAfterTimeouts consecutive requests without any reply (the client's wait ran out, with no reply
 *                           from the node in between) after which the node is suspect (default
 *                           {@value #DEFAULT_SUSPECT_AFTER_TIMEOUTS})
 * @param suspectMillis      how long a suspect node's keys go to their other candidates first; then one probe
 *                           (a CLUSTER_INFO request) is sent to it, and requests return to it once it answers
 *                           (default {@value #DEFAULT_SUSPECT_MILLIS})
 * @param readRetriesOnTimeout how many times a read that got no reply is sent again to the key's next candidate
 *                           (default {@value #DEFAULT_READ_RETRIES_ON_TIMEOUT}); a read therefore takes at most
 *                           {@code 1 + readRetriesOnTimeout} waits (and connect attempts). Writes are never
 *                           resent after a timeout: the node may have applied them, and a second write would add a
 *                           duplicate sibling
 * @param ioThreads          event loop threads of the client (0 lets Netty pick)
 * @param callbackExecutor   where the futures the client returns complete: continuations never run on I/O threads
 * @param clock              time for the down back-off and the suspect period
 * @param lastWriteWins      see {@link Builder#lastWriteWins}
 * @param tls                TLS to the nodes: the CA that issued their certificates, and the client's own
 *                           certificate when the nodes require one; null for plaintext (docs/security.md)
 * @param credentials        the user name and password sent in every connection's HELLO, or null to send none
 *                           (then a client certificate naming a user, or anonymous access, must let it in).
 *                           {@link #toString} shows the user only
 */
public record ClientConfig(List<InetSocketAddress> seeds, String clientName, int connectionsPerNode,
        long requestTimeoutMillis, long graceMillis, long connectTimeoutMillis, long downBackoffMillis,
        int suspectAfterTimeouts, long suspectMillis, int readRetriesOnTimeout,
        int ioThreads, Executor callbackExecutor, Clock clock, boolean lastWriteWins, TlsConfig tls,
        PasswordCredentials credentials) {

    public ClientConfig {
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one seed node is needed");
        }
        if (connectionsPerNode < 1 || requestTimeoutMillis < 1 || graceMillis < 0 || connectTimeoutMillis < 1
                || downBackoffMillis < 0 || suspectAfterTimeouts < 1 || suspectMillis < 0 || readRetriesOnTimeout < 0
                || ioThreads < 0) {
            throw new IllegalArgumentException("connections, timeouts, back-off, suspect and retry settings must not"
                    + " be negative, and connections, timeouts and the suspect threshold not zero");
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

    /**
     * The wait for a request without a timeout of its own: the nodes' default request timeout (2000 ms) plus the
     * default grace (1000 ms), so a node's own TIMEOUT answer arrives first. It used to be 10 s, which let one
     * frozen node hold every request routed to it for 10 s before the client looked elsewhere.
     */
    public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 3_000;

    /**
     * One request without any reply is enough to suspect a node. The client's wait already includes the grace
     * beyond the node's own deadline, so a live node answers (if only with TIMEOUT) before it: silence means the
     * node or the path to it is stuck. A wrong suspicion costs little (the key's next replica coordinates, and a
     * reply already on its way, or the probe a period later, clears it), while each further stall waited for costs
     * a request a whole wait, and a write its success. Under load the difference vanishes: the requests in flight
     * when a node freezes all stall within one wait, whatever the threshold.
     */
    public static final int DEFAULT_SUSPECT_AFTER_TIMEOUTS = 1;

    /**
     * As the down back-off. A node that stays frozen gets one small probe per period and the probe's wait (about
     * one every four seconds by default), and one that recovers gets its keys back within a period and a round trip.
     */
    public static final long DEFAULT_SUSPECT_MILLIS = 1_000;

    /** One more candidate after a read's first stall: enough for one frozen replica, bounded at two waits. */
    public static final int DEFAULT_READ_RETRIES_ON_TIMEOUT = 1;

    public static Builder builder(List<InetSocketAddress> seeds) {
        return new Builder(seeds);
    }

    /** Collects settings; each has a default. Not thread-safe. */
    public static final class Builder {
        private final List<InetSocketAddress> seeds;
        private String clientName = "chorus-java-client";
        private int connectionsPerNode = DEFAULT_CONNECTIONS_PER_NODE;
        private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
        private long graceMillis = 1_000;
        private long connectTimeoutMillis = 2_000;
        private long downBackoffMillis = 1_000;
        private int suspectAfterTimeouts = DEFAULT_SUSPECT_AFTER_TIMEOUTS;
        private long suspectMillis = DEFAULT_SUSPECT_MILLIS;
        private int readRetriesOnTimeout = DEFAULT_READ_RETRIES_ON_TIMEOUT;
        private int ioThreads = 1;
        private Executor callbackExecutor = ForkJoinPool.commonPool();
        private Clock clock = Clock.system();
        private boolean lastWriteWins;
        private TlsConfig tls;
        private PasswordCredentials credentials;

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

        public Builder suspectAfterTimeouts(int n) {
            this.suspectAfterTimeouts = n;
            return this;
        }

        public Builder suspectMillis(long millis) {
            this.suspectMillis = millis;
            return this;
        }

        public Builder readRetriesOnTimeout(int n) {
            this.readRetriesOnTimeout = n;
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
                    connectTimeoutMillis, downBackoffMillis, suspectAfterTimeouts, suspectMillis, readRetriesOnTimeout,
                    ioThreads, callbackExecutor, clock, lastWriteWins, tls, credentials);
        }

        /**
         * Whether puts without a context replace what they find (read first, write with its context) instead of
         * adding a sibling: {@link RequestOptions#lastWriteWins()} for every request that does not say.
         * Off by default: concurrent writers' values are then lost (docs/consistency.md).
         */
        public Builder lastWriteWins(boolean on) {
            this.lastWriteWins = on;
            return this;
        }

        /**
         * Speaks TLS to the nodes, trusting the CA of {@code tls} and checking each node's certificate names the
         * node it answers as; with a certificate of its own the client can connect to nodes that require one.
         * Null (the default) for plaintext.
         */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Authenticates every connection as {@code user} with {@code password} (docs/security.md, "Clients"). A
         * wrong one fails the first request with UNAUTHENTICATED. Use it with TLS: without, the password crosses
         * the network in clear.
         */
        public Builder credentials(String user, String password) {
            this.credentials = PasswordCredentials.of(user, password);
            return this;
        }
    }
}
