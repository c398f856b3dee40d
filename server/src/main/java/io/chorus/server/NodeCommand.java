package io.chorus.server;

import io.chorus.core.Clock;
import io.chorus.server.config.ConfigOverrides;
import io.chorus.server.config.NodeFileConfig;
import io.chorus.server.config.NodeFileConfigWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code chorus node}: one node of a cluster of processes, configured by a YAML file and flags that override it
 * (see {@link NodeFileConfig}). Runs until the process is stopped; a config error or a refused start is one line
 * on stderr and a non-zero exit ({@link Main}).
 */
@Command(name = "node", sortOptions = false,
        description = {"Runs one Chorus node until stopped (SIGTERM, Ctrl-C).",
            "Flags override the config file; --set KEY=VALUE sets any key of it (applied last).",
            "Keys and defaults: --example-config, or docs/operations.md."})
final class NodeCommand implements Callable<Integer> {

    static final String EXAMPLE_RESOURCE = "/chorus-node.example.yaml";

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The node's YAML config file.")
    private Path config;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "Overrides cluster_name.")
    private String clusterName;

    @Option(names = "--node-name", paramLabel = "NAME", description = "Overrides node_name.")
    private String nodeName;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Overrides data_dir.")
    private String dataDir;

    @Option(names = "--zone", paramLabel = "ZONE", description = "Overrides zone.")
    private String zone;

    @Option(names = "--client-listen", paramLabel = "HOST:PORT", description = "Overrides client_listen.")
    private String clientListen;

    @Option(names = "--peer-listen", paramLabel = "HOST:PORT", description = "Overrides peer_listen.")
    private String peerListen;

    @Option(names = "--client-advertise", paramLabel = "HOST:PORT", description = "Overrides client_advertise.")
    private String clientAdvertise;

    @Option(names = "--peer-advertise", paramLabel = "HOST:PORT", description = "Overrides peer_advertise.")
    private String peerAdvertise;

    @Option(names = "--seeds", paramLabel = "HOST:PORT,...", description = "Overrides seeds (comma-separated).")
    private String seeds;

    @Option(names = "--partitions", paramLabel = "Q", description = "Overrides partitions.")
    private String partitions;

    @Option(names = "--durability", paramLabel = "sync|nosync", description = "Overrides durability.")
    private String durability;

    @Option(names = "--anonymous", description = "Sets auth.anonymous: clients without credentials get every role."
            + " For test clusters only (the node warns).")
    private boolean anonymous;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any key of the file, e.g. gossip.interval=2s.")
    private List<String> sets = new ArrayList<>();

    @Option(names = "--check", description = "Check the config, print it with every default filled in, and exit.")
    private boolean check;

    @Option(names = "--example-config", description = "Print a commented config file with every key and exit.")
    private boolean example;

    @Option(names = "--parent-pid", paramLabel = "PID", description = "Stop when process PID ends (chorus cluster"
            + " --processes starts its nodes so, that none outlives it, even when it is killed).")
    private Long parentPid;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** The flags as overrides of the file's keys, named flags first, then every --set in order. */
    ConfigOverrides overrides() {
        ConfigOverrides o = new ConfigOverrides();
        put(o, "cluster_name", clusterName, "--cluster-name");
        put(o, "node_name", nodeName, "--node-name");
        put(o, "data_dir", dataDir, "--data-dir");
        put(o, "zone", zone, "--zone");
        put(o, "client_listen", clientListen, "--client-listen");
        put(o, "peer_listen", peerListen, "--peer-listen");
        put(o, "client_advertise", clientAdvertise, "--client-advertise");
        put(o, "peer_advertise", peerAdvertise, "--peer-advertise");
        put(o, "seeds", seeds, "--seeds");
        put(o, "partitions", partitions, "--partitions");
        put(o, "durability", durability, "--durability");
        put(o, "auth.anonymous", anonymous ? "true" : null, "--anonymous");
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--set takes KEY=VALUE, got '" + set + "'");
            }
            o.set(set.substring(0, eq).strip(), set.substring(eq + 1), "--set");
        }
        return o;
    }

    private static void put(ConfigOverrides o, String key, String value, String flag) {
        if (value != null) {
            o.set(key, value, flag);
        }
    }

    /** The file (if any) with the flags over it. */
    NodeFileConfig fileConfig() {
        return config == null ? NodeFileConfig.fromOverrides(overrides())
                : NodeFileConfig.load(config, overrides());
    }

    static String exampleConfig() {
        try (InputStream in = NodeCommand.class.getResourceAsStream(EXAMPLE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(EXAMPLE_RESOURCE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (example) {
            out.print(exampleConfig());
            out.flush();
            return 0;
        }
        NodeFileConfig settings = fileConfig();
        if (check) {
            out.print(NodeFileConfigWriter.write(settings));
            out.flush();
            return 0;
        }
        NodeProcess process = NodeProcess.start(settings, Clock.system());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.close();
            stopped.countDown();
        }, "chorus-shutdown"));
        String peers = settings.separatePeerListener() ? "peers on " + hostPort(process.peerAddress().getHostString(),
                process.peerAddress().getPort()) : "peers on the same socket";
        out.println("Chorus node " + settings.nodeName() + " of cluster " + settings.clusterName() + " (generation "
                + process.identity().generation() + "): clients on " + hostPort(
                process.clientAddress().getHostString(), process.clientAddress().getPort()) + ", " + peers
                + "; data in " + settings.dataDir().toAbsolutePath() + " (" + settings.durability() + ").");
        out.println(settings.seeds().isEmpty() ? "No seeds: this node starts a cluster of its own."
                : "Seeds: " + settings.seeds() + ". SIGTERM or Ctrl-C stops the node.");
        out.flush();
        // A node that left the cluster (or was removed from it) has nothing more to do: it stops, and exits 0.
        process.node().onRemoved(() -> new Thread(() -> {
            out.println("Chorus node " + settings.nodeName() + " is no longer a member of cluster "
                    + settings.clusterName() + "; stopping.");
            out.flush();
            process.close();
            stopped.countDown();
        }, "chorus-removed").start());
        if (parentPid != null) {
            stopWithParent(parentPid, settings.nodeName().name(), out);
        }
        stopped.await();
        return 0;
    }

    /**
     * Exits (through the shutdown hook: a clean stop) once process {@code pid} has ended, or at once if it already
     * has. ProcessHandle polls a process that is not our child, which the parent is not.
     */
    private static void stopWithParent(long pid, String name, PrintWriter out) {
        CompletableFuture<?> parentExit = ProcessHandle.of(pid).map(h -> (CompletableFuture<?>) h.onExit())
                .orElse(CompletableFuture.completedFuture(null));
        parentExit.thenRun(() -> new Thread(() -> {
            out.println("Chorus node " + name + ": process " + pid + " (--parent-pid) has ended; stopping.");
            out.flush();
            System.exit(0);
        }, "chorus-parent-gone").start());
    }

    private static String hostPort(String host, int port) {
        return new HostPort(host, port).toString();
    }
}
