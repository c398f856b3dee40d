package io.chorus.client;

import io.chorus.core.NodeId;
import io.chorus.ring.Ring;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The client's view of the cluster: a ring snapshot and each node's client address. Before the first ring
 * arrives the table has none and requests go to the seeds. Immutable; the client swaps whole tables.
 */
final class RoutingTable {

    /** As many node references as the ring's own walk cache holds at most. */
    private static final int CACHE_BUDGET = 1 << 20;

    private final Ring ring;
    private final Map<NodeId, InetSocketAddress> endpoints;
    private final List<InetSocketAddress> seeds;
    /**
     * Each partition's candidates, computed once per ring rather than once per request; null when there is no ring,
     * or when Q times the node count is over the budget (then they are computed per request).
     */
    private final List<List<InetSocketAddress>> byPartition;

    RoutingTable(Ring ring, Map<NodeId, InetSocketAddress> endpoints, List<InetSocketAddress> seeds) {
        this.ring = ring;
        this.endpoints = Map.copyOf(endpoints);
        this.seeds = List.copyOf(seeds);
        if (ring == null || (long) ring.partitionCount() * ring.walk(0).size() > CACHE_BUDGET) {
            byPartition = null;
        } else {
            List<List<InetSocketAddress>> lists = new ArrayList<>(ring.partitionCount());
            for (int p = 0; p < ring.partitionCount(); p++) {
                lists.add(walkOf(p));
            }
            byPartition = List.copyOf(lists);
        }
    }

    static RoutingTable seedsOnly(List<InetSocketAddress> seeds) {
        return new RoutingTable(null, Map.of(), seeds);
    }

    /** The ring routed by, or null before the first one arrived. */
    Ring ring() {
        return ring;
    }

    Map<NodeId, InetSocketAddress> endpoints() {
        return endpoints;
    }

    long version() {
        return ring == null ? -1 : ring.version();
    }

    /**
     * Where to send a request for {@code key}, best first: the ring's walk from the key's partition, whose first N
     * nodes are the key's preference list (the owner first: it coordinates without a forwarding hop), then every
     * other node as a last resort (any node accepts a request and forwards it).
     */
    List<InetSocketAddress> candidates(byte[] key) {
        if (ring == null) {
            return seeds;
        }
        int partition = ring.partitionOf(key);
        return byPartition != null ? byPartition.get(partition) : walkOf(partition);
    }

    private List<InetSocketAddress> walkOf(int partition) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (NodeId node : ring.walk(partition)) {
            InetSocketAddress address = endpoints.get(node);
            if (address != null) {
                out.add(address);
            }
        }
        return out.isEmpty() ? seeds : List.copyOf(out);
    }

    /** Every address the client knows, for ring refreshes. */
    List<InetSocketAddress> everyone() {
        List<InetSocketAddress> all = new ArrayList<>(endpoints.values());
        for (InetSocketAddress seed : seeds) {
            if (!all.contains(seed)) {
                all.add(seed);
            }
        }
        return all;
    }
}
