package io.chorus.server;

import io.chorus.core.Clock;
import io.chorus.server.config.NodeFileConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node as {@code chorus node} runs it, in its own process: the data directory locked, its identity checked and
 * its generation advanced, then a {@link ChorusNode} started that finds its cluster through its seeds by gossip
 * (or, its own first seed or with none, makes a cluster of itself that others join). Thread-safe: start and close
 * are the edges of its life.
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
            NodeConfig nodeConfig = config.toNodeConfig(List.of(config.member()));
            ChorusNode node = new ChorusNode(nodeConfig, config.membershipOptions(), new AddressBook(), null, null);
            try {
                node.start();
            } catch (IllegalStateException e) {
                // A port taken or not ours: ChorusServer's message names the address and the cause.
                throw new StartupException(e.getMessage(), e);
            }
            NodeIdentity identity = node.identity();
            LOG.info("{} of cluster {} started, generation {}", config.nodeName(), config.clusterName(),
                    identity.generation());
            if (config.tls() == null) {
                LOG.warn("{}: TLS is off (tls.certificate is empty): data and passwords cross the network in clear,"
                        + " and any process that reaches {} can join as a node. For trials on one machine only;"
                        + " docs/security.md", config.nodeName(), config.clientListen());
            }
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
