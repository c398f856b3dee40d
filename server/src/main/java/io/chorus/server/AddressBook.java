package io.chorus.server;

import io.chorus.core.NodeId;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each node listens. With static membership it is filled from configuration; an embedded cluster fills it
 * as its nodes bind their ephemeral ports. Gossip will feed it later. Thread-safe.
 */
public final class AddressBook {

    private final Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();

    public void put(NodeId node, InetSocketAddress address) {
        addresses.put(node, address);
    }

    /** The node's address, or null when unknown (the transport then fails fast with UNAVAILABLE). */
    public InetSocketAddress lookup(NodeId node) {
        return addresses.get(node);
    }

    public Map<NodeId, InetSocketAddress> snapshot() {
        return Map.copyOf(addresses);
    }
}
