package io.chorus.server;

import io.chorus.storage.StoreLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chorus cluster}: a local cluster in the foreground until Ctrl-C, in this JVM (as {@code chorus} with no
 * command) or, with {@code --processes}, as one {@code chorus node} process per node on loopback
 * ({@link ChildNodes}). Both print the nodes' endpoints, then a live status line ({@link StatusLine}).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs a local cluster of real nodes until Ctrl-C, in this process or, with",
            "--processes, as a node process each (DIR/node-i/ holds its node.yaml, node.log",
            "and data/)."})
final class ClusterCommand implements Callable<Integer> {

    private static final long FORM_SECONDS = 180;
    private static final long PROBE_MILLIS = 1_000;

    @Option(names = "--nodes", defaultValue = "3", description = "How many nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--processes", description = "Run every node as a process of its own (chorus node).")
    boolean processes;

    @Option(names = "--data", defaultValue = "chorus-data", paramLabel = "DIR",
            description = "Where their data lives, a directory per node (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "7100",
            description = "Port of node 1; node i uses PORT + i - 1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--nosync", description = "Do not fsync commits (tests and trials only).")
    boolean nosync;

    @Option(names = "--storage-shards", defaultValue = "1", paramLabel = "S",
            description = "LMDB environments each node's store is split into, so that commits overlap"
                    + " (default: ${DEFAULT-VALUE}; fixed for a data directory once it holds a store).")
    int storageShards;

    @Override
    public Integer call() throws Exception {
        return processes ? runProcesses() : Main.runEmbedded(nodes, dataDir, port, nosync, storageShards);
    }

    private int runProcesses() throws IOException, InterruptedException {
        LocalClusterLayout layout = new LocalClusterLayout(dataDir, nodes, port, nosync, storageShards);
        for (int i = 1; i <= nodes; i++) {
            if (Files.exists(layout.nodeDir(i).resolve("data.mdb"))
                    || Files.exists(layout.nodeDir(i).resolve(StoreLayout.FILE_NAME))) {
                throw new StartupException(layout.nodeDir(i) + " holds an embedded cluster's data (chorus cluster"
                        + " without --processes); give --processes another --data directory");
            }
        }
        PrintStream out = System.out;
        StatusLine line = new StatusLine(out, System.console() != null);
        CountDownLatch stopped = new CountDownLatch(1);
        ChildNodes[] children = new ChildNodes[1];
        AtomicBoolean formed = new AtomicBoolean();
        // Registered before the first child starts: Ctrl-C while they start stops them too.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (children) {
                if (children[0] != null) {
                    children[0].close();
                }
            }
            stopped.countDown();
        }, "chorus-cluster-shutdown"));
        out.println("Chorus: starting " + nodes + " node processes (pid of this cluster: "
                + ProcessHandle.current().pid() + "), data in " + dataDir.toAbsolutePath() + " ("
                + (nosync ? "NOSYNC" : "SYNC") + ")...");
        out.flush();
        synchronized (children) {
            if (stopped.getCount() == 0) {
                return 0;
            }
            // An exit while the cluster forms ends the start with its own message (exitedChild), not a note.
            children[0] = ChildNodes.start(layout, note -> {
                if (formed.get()) {
                    line.note(note);
                }
            });
        }
        try (StatusProbe probe = new StatusProbe(layout.addresses())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FORM_SECONDS);
            StatusLine.Snapshot s = probe.probe();
            while (!s.formed(nodes)) {
                String exited = children[0].exitedChild();
                if (exited != null || System.nanoTime() > deadline) {
                    line.finish();
                    children[0].close();
                    System.err.println("chorus: cannot start: " + (exited != null ? exited
                            : "the cluster did not form within " + FORM_SECONDS + " s; see the logs in " + dataDir));
                    return Main.EXIT_FAILED;
                }
                line.show(StatusLine.render(s) + " (forming)");
                if (stopped.await(PROBE_MILLIS, TimeUnit.MILLISECONDS)) {
                    return 0;
                }
                s = probe.probe();
            }
            formed.set(true);
            line.finish();
            for (int i = 1; i <= nodes; i++) {
                out.println("  " + LocalClusterLayout.name(i) + "  " + layout.address(i) + "  pid "
                        + children[0].process(i).pid() + "  log " + layout.log(i));
            }
            out.println("Cluster ready. Try './chorus put KEY VALUE', './chorus get KEY', './chorus status';"
                    + " Ctrl-C stops every node.");
            out.flush();
            watch(probe, line, stopped);
        }
        return 0;
    }

    /** Shows the status line until the cluster is stopped (the latch opens). */
    static void watch(StatusProbe probe, StatusLine line, CountDownLatch stopped) throws InterruptedException {
        while (true) {
            StatusLine.Snapshot s = probe.probe();
            if (stopped.getCount() == 0) {
                return; // stopping: the nodes going down are no news
            }
            line.show(StatusLine.render(s));
            if (stopped.await(PROBE_MILLIS, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }
}
