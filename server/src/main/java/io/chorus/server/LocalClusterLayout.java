package io.chorus.server;

import io.chorus.storage.StoreLayout;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where {@code chorus cluster --processes} keeps node i (1-based) and how it configures it: {@code DIR/node-i/}
 * holds {@code node.yaml}, {@code node.log} and the data directory {@code data/}, which must stay apart from the
 * other two (a node refuses a non-empty directory that is not a Chorus data directory). Node i listens for
 * clients and peers on one loopback socket, port {@code PORT + i - 1}; every node lists every node as a seed, so
 * the first creates the cluster and the others join it, on the first run and on every run after. Immutable.
 *
 * @param dir    the cluster's directory as the operator gave it (printed paths stay as short as typed)
 * @param nodes  how many nodes
 * @param port   node 1's port
 * @param nosync whether commits skip fsync
 * @param storageShards LMDB environments each node's store is split into
 */
record LocalClusterLayout(Path dir, int nodes, int port, boolean nosync, int storageShards) {

    /** Fixed: a node refuses a data directory of another cluster, so every run must use the same name. */
    static final String CLUSTER_NAME = "chorus-local";

    LocalClusterLayout {
        if (nodes < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1, got " + nodes);
        }
        if (port < 1 || port + nodes - 1 > 65_535) {
            throw new IllegalArgumentException("--port must leave room for " + nodes + " ports in 1..65535 (0, an"
                    + " ephemeral port, cannot be a seed), got " + port);
        }
        StoreLayout.checkCount(storageShards);
    }

    static String name(int i) {
        return "node-" + i;
    }

    Path nodeDir(int i) {
        return dir.resolve(name(i));
    }

    Path config(int i) {
        return nodeDir(i).resolve("node.yaml");
    }

    Path log(int i) {
        return nodeDir(i).resolve("node.log");
    }

    HostPort address(int i) {
        return new HostPort("127.0.0.1", port + i - 1);
    }

    List<InetSocketAddress> addresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            out.add(address(i).toSocketAddress());
        }
        return out;
    }

    /** Node i's config file. Fewer than three nodes replicate to all of them, as the embedded cluster does. */
    String yaml(int i) {
        StringBuilder seeds = new StringBuilder();
        for (int j = 1; j <= nodes; j++) {
            seeds.append(j > 1 ? ", " : "").append(quoted(address(j).toString()));
        }
        int n = Math.min(3, nodes);
        return "# Written by 'chorus cluster --processes' on every start; edits are overwritten.\n"
                + "cluster_name: " + CLUSTER_NAME + "\n"
                + "node_name: " + name(i) + "\n"
                + "data_dir: " + quoted(nodeDir(i).resolve("data").toAbsolutePath().toString()) + "\n"
                + "client_listen: " + quoted(address(i).toString()) + "\n"
                + "seeds: [" + seeds + "]\n"
                + "durability: " + (nosync ? "nosync" : "sync") + "\n"
                + "storage_shards: " + storageShards + "\n"
                + "replication:\n  n: " + n + "\n  r: " + (n / 2 + 1) + "\n  w: " + (n / 2 + 1) + "\n"
                // A local cluster for trying things out, as the embedded one: no users, and every node says so.
                + "auth:\n  anonymous: true\n";
    }

    private static String quoted(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
