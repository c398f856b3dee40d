package io.chorus.server;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.storage.StoreLayout;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a data directory belongs to, kept in {@value #FILE_NAME} beside the store: the cluster and node it was made
 * for, the number of partitions its data is stored under, and the node's generation. A node refuses a directory
 * of another cluster, another node or another Q, so a wrong path in a config file cannot make a node serve (or
 * gossip as) someone else's data.
 *
 * <p>The <b>generation</b> grows on every start; gossip orders a node's states by (generation, version), so a
 * restarted node's fresh states win over what peers remember from its previous life. It is the larger of the
 * stored one plus one and the wall clock in seconds (Cassandra's rule): a wiped directory starts again from the
 * clock, still above what peers remember, and a clock set back or two starts in one second still grow it by one.
 *
 * <p>Not the storage <b>epoch</b> ({@code StorageEngine.epoch()}), which is fixed for the life of the store and
 * names the actor of its writes. A wiped directory gets a new identity and a new epoch; a restart keeps the
 * epoch and gets a new generation.
 *
 * <p>The file is written whole to a temporary file, forced to disk, renamed over the old one and the directory
 * forced, so a crash leaves the old identity or the new one, never a torn one. Immutable; call
 * {@link #loadOrCreate} under the directory's {@link DataDirLock}.
 *
 * @param clusterName the cluster the directory belongs to
 * @param nodeName    the node it belongs to
 * @param partitions  Q of the data stored in it
 * @param generation  this start's generation, positive
 */
public record NodeIdentity(String clusterName, NodeId nodeName, int partitions, long generation) {

    public static final String FILE_NAME = "identity.properties";
    private static final String TEMP_NAME = FILE_NAME + ".tmp";
    private static final int FORMAT = 1;
    /** What a directory may hold and still count as empty: our own lock and a temporary file a crash left. */
    private static final Set<String> IGNORED = Set.of(DataDirLock.FILE_NAME, TEMP_NAME);

    private static final Logger LOG = LoggerFactory.getLogger(NodeIdentity.class);

    public NodeIdentity {
        String problem = NodeConfig.clusterNameProblem(clusterName);
        if (problem != null) {
            throw new IllegalArgumentException("cluster name " + problem);
        }
        if (nodeName == null || partitions < 1 || generation < 1) {
            throw new IllegalArgumentException("a node name, partitions >= 1 and generation >= 1 are needed");
        }
    }

    /**
     * Checks the identity of {@code dataDir} against the configured names and Q, and stores the next generation;
     * in an empty or missing directory makes the identity. A directory that has a store but no identity (made by
     * an embedded cluster or before identities existed) is adopted under the configured names.
     *
     * @throws StartupException when the directory belongs to another cluster, node or Q, holds something else,
     *                          or its identity cannot be read or written
     */
    public static NodeIdentity loadOrCreate(Path dataDir, String clusterName, NodeId nodeName, int partitions,
            Clock clock) {
        long clockGeneration = Math.max(1, clock.currentTimeMillis() / 1000);
        Optional<NodeIdentity> stored = read(dataDir);
        NodeIdentity next;
        if (stored.isPresent()) {
            NodeIdentity old = stored.get();
            String owner = "data_dir " + dataDir + " belongs to node " + old.nodeName() + " of cluster "
                    + old.clusterName();
            if (!old.clusterName().equals(clusterName)) {
                throw new StartupException(owner + ", not to cluster " + clusterName
                        + ": point data_dir elsewhere, or wipe it to make a new node");
            }
            if (!old.nodeName().equals(nodeName)) {
                throw new StartupException(owner + ", not to node " + nodeName
                        + ": point data_dir elsewhere, or wipe it to make a new node");
            }
            if (old.partitions() != partitions) {
                throw new StartupException("data_dir " + dataDir + " holds data stored under " + old.partitions()
                        + " partitions, not " + partitions + ": partitions is fixed for the life of a cluster");
            }
            next = new NodeIdentity(clusterName, nodeName, partitions,
                    Math.max(Math.addExact(old.generation(), 1), clockGeneration));
        } else {
            checkUnclaimed(dataDir);
            next = new NodeIdentity(clusterName, nodeName, partitions, clockGeneration);
        }
        next.write(dataDir);
        return next;
    }

    /**
     * The identity stored in {@code dataDir}, if any.
     *
     * @throws StartupException when the file exists but cannot be read or is damaged
     */
    public static Optional<NodeIdentity> read(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StartupException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Properties p = new Properties();
        try (Reader r = new StringReader(text)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw damaged(file, "it does not parse as properties");
        }
        if (!String.valueOf(FORMAT).equals(p.getProperty("format"))) {
            throw damaged(file, "format " + p.getProperty("format") + " is not " + FORMAT);
        }
        try {
            return Optional.of(new NodeIdentity(required(p, file, "cluster_name"),
                    NodeId.of(required(p, file, "node_name")), Integer.parseInt(required(p, file, "partitions")),
                    Long.parseLong(required(p, file, "generation"))));
        } catch (IllegalArgumentException e) {
            throw damaged(file, e.getMessage());
        }
    }

    private static String required(Properties p, Path file, String key) {
        String value = p.getProperty(key);
        if (value == null) {
            throw damaged(file, "it has no " + key);
        }
        return value;
    }

    private static StartupException damaged(Path file, String why) {
        return new StartupException("identity file " + file + " is damaged (" + why
                + "): restore it, or wipe the directory to make a new node");
    }

    private static void checkUnclaimed(Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        boolean store = false;
        String other = null;
        try (Stream<Path> entries = Files.list(dataDir)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (StoreLayout.isStoreEntry(name)) {
                    store = true;
                } else if (!IGNORED.contains(name) && other == null) {
                    other = name;
                }
            }
        } catch (IOException e) {
            throw new StartupException("cannot list data_dir " + dataDir + ": " + e.getMessage(), e);
        }
        if (store) {
            LOG.info("data_dir {} has a store but no identity: adopting it", dataDir);
        } else if (other != null) {
            throw new StartupException("data_dir " + dataDir + " is not empty and holds no Chorus node (it has "
                    + other + "): point data_dir at an empty or new directory");
        }
    }

    private void write(Path dataDir) {
        String text = "# The identity of this Chorus data directory. Do not edit; do not copy to another node.\n"
                + "format=" + FORMAT + "\n"
                + "cluster_name=" + escape(clusterName) + "\n"
                + "node_name=" + escape(nodeName.name()) + "\n"
                + "partitions=" + partitions + "\n"
                + "generation=" + generation + "\n";
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            DurableFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new StartupException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Names have no whitespace or control characters (checked), so only the escape character itself needs one. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }
}
