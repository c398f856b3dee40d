package io.chorus.server;

import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.storage.Durability;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts an embedded cluster and serves until the process is stopped (Ctrl-C). The CLI issue will wrap this.
 *
 * <pre>java -jar server/target/chorus.jar [nodes=3] [data-dir=./chorus-data] [--port=7100] [--nosync]</pre>
 *
 * Node i listens on port + i - 1 on 127.0.0.1; {@code --port=0} gives every node an ephemeral port (tests).
 */
public final class Main {

    private Main() {
    }

    /** 3/2/2 as in Riak and Cassandra, shrunk to the cluster when it has fewer than three nodes. */
    private static CoordinatorConfig quorumFor(int nodes) {
        int n = Math.min(3, nodes);
        return CoordinatorConfig.defaults().withQuorum(n, n / 2 + 1, n / 2 + 1);
    }

    public static void main(String[] args) throws InterruptedException {
        int nodes = 3;
        Path dataDir = Path.of("chorus-data");
        Durability durability = Durability.SYNC;
        int port = 7100;
        int positional = 0;
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                port = Integer.parseInt(arg.substring("--port=".length()));
            } else if (arg.equals("--nosync")) {
                durability = Durability.NOSYNC;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println("usage: java -jar chorus.jar [nodes=3] [data-dir=./chorus-data] [--port=7100] [--nosync]");
                return;
            } else if (positional++ == 0) {
                nodes = Integer.parseInt(arg);
            } else {
                dataDir = Path.of(arg);
            }
        }
        EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(nodes).dataDir(dataDir).durability(durability)
                .basePort(port).coordinator(quorumFor(nodes)).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "chorus-shutdown"));
        System.out.println("Chorus: " + nodes + "-node cluster running, data in " + dataDir.toAbsolutePath()
                + " (" + durability + "), N/R/W = " + Math.min(3, nodes) + "/" + (Math.min(3, nodes) / 2 + 1) + "/"
                + (Math.min(3, nodes) / 2 + 1));
        for (ChorusNode node : cluster.nodes()) {
            System.out.println("  " + node.id() + "  " + node.address().getHostString() + ":"
                    + node.address().getPort());
        }
        System.out.println("Connect with ChorusClient using any of these addresses as a seed. Ctrl-C stops.");
        System.out.flush();
        stopped.await();
    }
}
