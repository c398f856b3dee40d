package io.chorus.server;

import io.chorus.core.NodeId;
import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.ring.Member;
import io.chorus.storage.Durability;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one node needs to start. Membership is static here: {@code members} is the whole cluster (this node
 * included) and the ring is claimed from it; the gossip issue replaces that source. Immutable.
 *
 * @param nodeId       this node
 * @param dataDir      its LMDB directory (created if missing)
 * @param host         the address to listen on, for clients and peers alike (one port, told apart by HELLO)
 * @param port         the port, 0 for an ephemeral one
 * @param members      every member of the cluster, with zones
 * @param partitions   Q, a power of two, fixed at cluster creation
 * @param durability   SYNC (fsync per group commit) or NOSYNC
 * @param coordinator  N/R/W defaults, timeouts, read repair and hint settings
 * @param dispatchThreads threads that run requests off the event loops (storage reads, coordination)
 * @param maxUnflushedReplyBytes replies this node may hold for peers that do not read them, over all its
 *                     connections; 0 for the server's default (a quarter of the heap), which nodes sharing one JVM
 *                     must divide among themselves ({@link EmbeddedCluster} does)
 * @param antiEntropy  the schedule of active anti-entropy and tombstone collection
 */
public record NodeConfig(NodeId nodeId, Path dataDir, String host, int port, List<Member> members, int partitions,
        Durability durability, CoordinatorConfig coordinator, int dispatchThreads, long maxUnflushedReplyBytes,
        AntiEntropyConfig antiEntropy) {

    public NodeConfig {
        members = List.copyOf(members);
        if (members.stream().noneMatch(m -> m.id().equals(nodeId))) {
            throw new IllegalArgumentException(nodeId + " is not among the members " + members);
        }
        if (port < 0 || port > 0xFFFF || dispatchThreads < 1 || maxUnflushedReplyBytes < 0) {
            throw new IllegalArgumentException("port outside 0..65535, no dispatch thread or a negative limit");
        }
        if (dataDir == null || host == null || durability == null || coordinator == null || antiEntropy == null) {
            throw new IllegalArgumentException("data dir, host, durability, coordinator and anti-entropy settings"
                    + " must be given");
        }
    }

    /** Loopback, ephemeral port, SYNC, Q = 256, N/R/W = 3/2/2. */
    public static NodeConfig defaults(NodeId nodeId, Path dataDir, List<Member> members) {
        return new NodeConfig(nodeId, dataDir, "127.0.0.1", 0, members, 256, Durability.SYNC,
                CoordinatorConfig.defaults(), 4, 0, AntiEntropyConfig.defaults());
    }

    public NodeConfig withPort(int port) {
        return new NodeConfig(nodeId, dataDir, host, port, members, partitions, durability, coordinator,
                dispatchThreads, maxUnflushedReplyBytes, antiEntropy);
    }

    public NodeConfig withDurability(Durability durability) {
        return new NodeConfig(nodeId, dataDir, host, port, members, partitions, durability, coordinator,
                dispatchThreads, maxUnflushedReplyBytes, antiEntropy);
    }

    public NodeConfig withPartitions(int partitions) {
        return new NodeConfig(nodeId, dataDir, host, port, members, partitions, durability, coordinator,
                dispatchThreads, maxUnflushedReplyBytes, antiEntropy);
    }

    public NodeConfig withCoordinator(CoordinatorConfig coordinator) {
        return new NodeConfig(nodeId, dataDir, host, port, members, partitions, durability, coordinator,
                dispatchThreads, maxUnflushedReplyBytes, antiEntropy);
    }

    public NodeConfig withAntiEntropy(AntiEntropyConfig antiEntropy) {
        return new NodeConfig(nodeId, dataDir, host, port, members, partitions, durability, coordinator,
                dispatchThreads, maxUnflushedReplyBytes, antiEntropy);
    }
}
