package io.chorus.server;

import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.server.config.ConfigException;
import io.chorus.storage.Durability;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code chorus} command. Without a subcommand it starts an embedded cluster and serves until the process is
 * stopped (Ctrl-C), as the README's quick start runs it; {@code chorus node} runs one node of a cluster of
 * processes ({@link NodeCommand}).
 *
 * <pre>java -jar server/target/chorus.jar [nodes=3] [data-dir=./chorus-data] [--port=7100] [--nosync]
 *     [--storage-shards=1]
 * java -jar server/target/chorus.jar node --config FILE [flags]</pre>
 *
 * Node i of the embedded cluster listens on port + i - 1 on 127.0.0.1; {@code --port=0} gives every node an
 * ephemeral port (tests). Errors an operator fixes (a bad flag, a config error, a data directory of another node)
 * are one line on stderr and a non-zero exit: 2 for the command line and the config, 1 for the rest.
 */
@Command(name = "chorus", sortOptions = false, subcommands = {NodeCommand.class,
    io.chorus.server.cli.DataCommands.Get.class, io.chorus.server.cli.DataCommands.Put.class,
    io.chorus.server.cli.DataCommands.Delete.class, io.chorus.server.cli.LoadCommand.class,
    io.chorus.server.cli.AdminCommands.Status.class,
    io.chorus.server.cli.AdminCommands.RingCommand.class, io.chorus.server.cli.AdminCommands.PlanCommand.class,
    io.chorus.server.cli.AdminCommands.Commit.class, io.chorus.server.cli.AdminCommands.Join.class,
    io.chorus.server.cli.AdminCommands.Leave.class, io.chorus.server.cli.AdminCommands.Remove.class,
    io.chorus.server.cli.AdminCommands.Transfers.class, io.chorus.server.cli.AdminCommands.Repair.class,
    io.chorus.server.cli.BackupCommands.Backup.class, io.chorus.server.cli.BackupCommands.Restore.class,
    io.chorus.server.cli.StatsCommand.class, ClusterCommand.class, ConfigCommand.class,
    io.chorus.server.cli.CertsCommand.class, io.chorus.server.cli.UsersCommand.class,
    picocli.AutoComplete.GenerateCompletion.class},
        description = {"Starts an embedded cluster of real nodes in this process (one JVM, loopback ports).",
            "Run 'chorus node --help' for one node of a cluster of processes."})
public final class Main implements Callable<Integer> {

    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILED = 1;

    @Parameters(index = "0", arity = "0..1", defaultValue = "3", paramLabel = "nodes",
            description = "Nodes of the embedded cluster (default: ${DEFAULT-VALUE}).")
    private int nodes;

    @Parameters(index = "1", arity = "0..1", defaultValue = "chorus-data", paramLabel = "data-dir",
            description = "Where their data lives, one directory per node (default: ./${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--port", defaultValue = "7100", paramLabel = "PORT",
            description = "Port of node 1; node i listens on PORT + i - 1; 0 for ephemeral ports.")
    private int port;

    @Option(names = "--nosync", description = "Do not fsync commits (tests and trials only).")
    private boolean nosync;

    @Option(names = "--storage-shards", defaultValue = "1", paramLabel = "S",
            description = "LMDB environments each node's store is split into, so that commits overlap"
                    + " (default: ${DEFAULT-VALUE}; fixed for a data directory once it holds a store).")
    private int storageShards;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** On every command: an error's stack trace after its one line. */
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace after the one-line message.")
    private boolean verbose;

    private Main() {
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // Only on failure: a cluster that ran until Ctrl-C returns here while the shutdown hooks run, and exit()
        // during shutdown would block.
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The command line with its error handling: one line per error an operator fixes, stack traces for bugs. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("chorus: " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((thrown, command, parsed) -> {
            int code = handle(thrown, command);
            if (verbose(cl.getParseResult())) {
                thrown.printStackTrace(command.getErr());
            }
            return code;
        });
        return cl;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** The exit code for a failed command, after its one line on stderr; a bug's exception is thrown on. */
    private static int handle(Exception thrown, CommandLine command) throws Exception {
        PrintWriter err = command.getErr();
        // An admin call's failure arrives wrapped by the future that carried it.
        Exception e = thrown;
        while ((e instanceof java.util.concurrent.ExecutionException
                || e instanceof java.util.concurrent.CompletionException) && e.getCause() instanceof Exception c) {
            e = c;
        }
        if (e instanceof ConfigException config) {
            err.println(config.line());
            return EXIT_USAGE;
        }
        // A request the cluster refused or could not serve: its code and message, one line.
        if (e instanceof io.chorus.core.error.ChorusException ce) {
            err.println("chorus: " + ce.code() + ": " + ce.getMessage());
            return EXIT_FAILED;
        }
        if (e instanceof IllegalArgumentException && !(command.getCommand() instanceof Main)) {
            err.println("chorus: " + e.getMessage());
            return EXIT_USAGE;
        }
        // The embedded cluster's builder refuses impossible arguments (0 nodes, a port out of range) this way.
        if (e instanceof StartupException
                || (e instanceof IllegalArgumentException && command.getCommand() instanceof Main)) {
            err.println("chorus: cannot start: " + e.getMessage());
            return EXIT_FAILED;
        }
        if (e instanceof java.util.concurrent.TimeoutException) {
            err.println("chorus: TIMEOUT: the node did not answer in time");
            return EXIT_FAILED;
        }
        throw thrown;
    }

    /** 3/2/2 as in Riak and Cassandra, shrunk to the cluster when it has fewer than three nodes. */
    private static CoordinatorConfig quorumFor(int nodes) {
        int n = Math.min(3, nodes);
        return CoordinatorConfig.defaults().withQuorum(n, n / 2 + 1, n / 2 + 1);
    }

    @Override
    public Integer call() throws InterruptedException {
        return runEmbedded(nodes, dataDir, port, nosync, storageShards);
    }

    /** Starts an embedded cluster and serves until the process is stopped; shared with {@link ClusterCommand}. */
    static int runEmbedded(int nodes, Path dataDir, int port, boolean nosync, int storageShards)
            throws InterruptedException {
        Durability durability = nosync ? Durability.NOSYNC : Durability.SYNC;
        if (Files.exists(dataDir.resolve("node-1").resolve("node.yaml"))) {
            throw new StartupException(dataDir + " holds the nodes of 'chorus cluster --processes'; run that again,"
                    + " or give the embedded cluster another data directory");
        }
        EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(nodes).dataDir(dataDir).durability(durability)
                .basePort(port).coordinator(quorumFor(nodes)).storageShards(storageShards).start();
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
        System.out.println("Connect with ChorusClient using any of these addresses as a seed, or try"
                + " './chorus put KEY VALUE', './chorus get KEY', './chorus status'. Ctrl-C stops.");
        System.out.flush();
        try (StatusProbe probe = new StatusProbe(cluster.addresses())) {
            ClusterCommand.watch(probe, new StatusLine(System.out, System.console() != null), stopped);
        }
        return 0;
    }
}
