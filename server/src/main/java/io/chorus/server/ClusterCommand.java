package io.chorus.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chorus cluster}: a local cluster in the foreground, the same as {@code chorus} with no command. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Runs a local cluster of real nodes in this process until Ctrl-C.")
final class ClusterCommand implements Callable<Integer> {

    @Option(names = "--nodes", defaultValue = "3", description = "How many nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--data", defaultValue = "chorus-data", paramLabel = "DIR",
            description = "Where their data lives, a directory per node (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "7100", description = "Port of node 1; node i uses PORT + i - 1.")
    int port;

    @Option(names = "--nosync", description = "Do not fsync commits (tests and trials only).")
    boolean nosync;

    @Override
    public Integer call() throws InterruptedException {
        return Main.runEmbedded(nodes, dataDir, port, nosync);
    }
}
