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
record RoutingTable(Ring ring, Map<NodeId, InetSocketAddress> endpoints, List<InetSocketAddress> seeds) {

    RoutingTable {
        endpoints = Map.copyOf(endpoints);
        seeds = List.copyOf(seeds);
    }

    static RoutingTable seedsOnly(List<InetSocketAddress> seeds) {
        return new RoutingTable(null, Map.of(), seeds);
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
        List<NodeId> walk = ring.walk(ring.partitionOf(key));
        List<InetSocketAddress> out = new ArrayList<>(walk.size());
        for (NodeId node : walk) {
            InetSocketAddress address = endpoints.get(node);
            if (address != null) {
                out.add(address);
            }
        }
        return out.isEmpty() ? seeds : out;
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
