package io.chorus.server;

import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.core.Clock;
import io.chorus.ring.Member;
import io.chorus.server.config.NodeFileConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node as {@code chorus node} runs it, in its own process: the data directory locked, its identity checked and
 * its generation advanced, then a {@link ChorusNode} started. Until gossip is wired in, membership is static and
 * of this node alone (a cluster of one, its quorums shrunk to it); the seeds are read but not contacted. The
 * identity and the file settings are kept here for that wiring. Thread-safe: start and close are the edges of its
 * life.
 */
public final class NodeProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeProcess.class);

    private final NodeFileConfig config;
    private final NodeIdentity identity;
    private final DataDirLock lock;
    private final ChorusNode node;

    private NodeProcess(NodeFileConfig config, NodeIdentity identity, DataDirLock lock, ChorusNode node) {
        this.config = config;
        this.identity = identity;
        this.lock = lock;
        this.node = node;
    }

    /**
     * Locks the data directory, loads or makes its identity and starts the node.
     *
     * @throws StartupException for what an operator must fix; nothing stays open or locked then
     */
    public static NodeProcess start(NodeFileConfig config, Clock clock) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StartupException("cannot create data_dir " + config.dataDir() + ": " + e, e);
        }
        DataDirLock lock = DataDirLock.acquire(config.dataDir());
        try {
            List<Member> members = List.of(config.member());
            NodeConfig nodeConfig = config.toNodeConfig(members);
            CoordinatorConfig c = nodeConfig.coordinator();
            int n = Math.min(c.n(), members.size());
            if (n < c.n()) {
                LOG.warn("membership is static until gossip is wired: {} is a cluster of {}, so N/R/W are {}/{}/{}"
                        + " (configured {}/{}/{})", config.nodeName(), members.size(), n, Math.min(c.r(), n),
                        Math.min(c.w(), n), c.n(), c.r(), c.w());
                nodeConfig = nodeConfig.withCoordinator(c.withQuorum(n, Math.min(c.r(), n), Math.min(c.w(), n)));
            }
            ChorusNode node = new ChorusNode(nodeConfig, new AddressBook(), null);
            try {
                node.start();
            } catch (IllegalStateException e) {
                // A port taken or not ours: ChorusServer's message names the address and the cause.
                throw new StartupException(e.getMessage(), e);
            }
            NodeIdentity identity = node.identity();
            LOG.info("{} of cluster {} started, generation {}", config.nodeName(), config.clusterName(),
                    identity.generation());
            return new NodeProcess(config, identity, lock, node);
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    public NodeFileConfig config() {
        return config;
    }

    public NodeIdentity identity() {
        return identity;
    }

    public ChorusNode node() {
        return node;
    }

    /** Where clients connect (advertised), or null once closed. */
    public InetSocketAddress clientAddress() {
        return node.address();
    }

    /** Where other nodes connect (advertised), or null once closed. */
    public InetSocketAddress peerAddress() {
        return node.peerAddress();
    }

    /** Stops the node gracefully, then releases the data directory. */
    @Override
    public synchronized void close() {
        try {
            node.stop();
        } finally {
            lock.close();
        }
    }
}
