package io.chorus.server;

import io.chorus.core.NodeId;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each node is reached: by other nodes (its peer address) and by clients (its client address), the same
 * address when the node listens on one socket. With static membership it is filled from configuration; an
 * embedded cluster fills it as its nodes bind their ephemeral ports. Gossip will feed it later. Thread-safe.
 */
public final class AddressBook {

    private record Entry(InetSocketAddress client, InetSocketAddress peer) {
    }

    private final Map<NodeId, Entry> addresses = new ConcurrentHashMap<>();

    /** A node that serves clients and peers on one address. */
    public void put(NodeId node, InetSocketAddress address) {
        put(node, address, address);
    }

    public void put(NodeId node, InetSocketAddress client, InetSocketAddress peer) {
        addresses.put(node, new Entry(client, peer));
    }

    /**
     * Where other nodes reach the node (its peer address), or null when unknown (the transport then fails fast
     * with UNAVAILABLE).
     */
    public InetSocketAddress lookup(NodeId node) {
        Entry e = addresses.get(node);
        return e == null ? null : e.peer();
    }

    /** Where clients reach the node, or null when unknown. */
    public InetSocketAddress client(NodeId node) {
        Entry e = addresses.get(node);
        return e == null ? null : e.client();
    }

    /** Every known node's client address: what clients are told (CLUSTER_INFO). */
    public Map<NodeId, InetSocketAddress> snapshot() {
        Map<NodeId, InetSocketAddress> clients = new HashMap<>();
        addresses.forEach((node, e) -> clients.put(node, e.client()));
        return Map.copyOf(clients);
    }
}
