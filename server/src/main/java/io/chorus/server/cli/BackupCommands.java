package io.chorus.server.cli;

import io.chorus.client.ChorusClient;
import io.chorus.core.error.ChorusException;
import io.chorus.server.NodeRestore;
import io.chorus.transport.protocol.BackupResponse;
import io.chorus.transport.protocol.MembersResponse;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code chorus backup} (every member copies its store, online) and {@code chorus restore} (one node, offline). */
public final class BackupCommands {

    private BackupCommands() {
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Every member writes a consistent copy of its store to DIR/<node-name>/ on its own host,"
                + " all at once (each copy is of one moment of that node; together they are no cluster-wide point in"
                + " time).",
                "DIR is made absolute here, and must be writable on every node's host (a shared mount, or the same"
                    + " path on each); DIR/<node-name> must not exist or be empty.",
                "A line per member ('NODE: B bytes in T ms to PATH' or 'NODE: failed: why'), then a total. Exit 1"
                    + " when a member failed or was down."})
    public static final class Backup extends AdminCommands.Base {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Override
        int run(ChorusClient c) throws Exception {
            Cluster cluster = new Cluster(c, host());
            String target = dir.toAbsolutePath().normalize().toString();
            Map<MembersResponse.Member, CompletableFuture<BackupResponse>> runs = new LinkedHashMap<>();
            for (MembersResponse.Member m : cluster.live()) {
                // At once: the copies of the nodes are then as close in time as they can be.
                runs.put(m, m.alive() ? c.backupAsync(Cluster.address(m), target) : null);
            }
            PrintWriter out = out();
            long bytes = 0;
            int done = 0;
            for (Map.Entry<MembersResponse.Member, CompletableFuture<BackupResponse>> e : runs.entrySet()) {
                String node = e.getKey().id().name();
                if (e.getValue() == null) {
                    out.println(node + ": not backed up: the member is down");
                    continue;
                }
                try {
                    BackupResponse r = e.getValue().get();
                    bytes += r.bytes();
                    done++;
                    out.printf(Locale.ROOT, "%s: %d bytes in %d ms to %s%n", node, r.bytes(), r.tookMillis(),
                            r.directory());
                } catch (ExecutionException failed) {
                    Throwable why = failed.getCause();
                    out.println(node + ": failed: " + (why instanceof ChorusException ce ? ce.code() + ": "
                            + ce.getMessage() : why.toString()));
                }
            }
            out.printf(Locale.ROOT, "backed up %d of %d members, %d bytes, to %s%n", done, runs.size(), bytes, target);
            if (done < runs.size()) {
                err().println("chorus: backup incomplete: " + (runs.size() - done) + " of " + runs.size()
                        + " members not backed up");
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Restores one node's backup (BACKUP_DIR/<node-name>, as chorus backup wrote it, or a copy"
                + " of the stopped node's data directory) into its data directory. Offline: the node must be"
                + " stopped.",
                "The restored store takes a new epoch at its next start, so its new writes never reuse a dot of"
                    + " writes made after the backup. Start the node afterwards: anti-entropy brings it up to date."})
    public static final class Restore implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "BACKUP_NODE_DIR")
        Path backup;
        @Option(names = "--data-dir", required = true, paramLabel = "DATA_DIR",
                description = "The node's data_dir (created if missing).")
        Path dataDir;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                NodeRestore.Result r = NodeRestore.restore(backup, dataDir);
                out.printf(Locale.ROOT, "restored %s of cluster %s into %s: %d bytes; identity %s, ring state from"
                        + " %s; a new epoch is taken at the next start%n", r.identity().nodeName(),
                        r.identity().clusterName(), dataDir, r.bytes(), r.keptIdentity() ? "kept" : "from the backup",
                        r.ringFrom());
                return 0;
            } catch (NodeRestore.Refused e) {
                err.println("chorus: restore refused: " + e.getMessage());
                return 1;
            } finally {
                out.flush();
                err.flush();
            }
        }
    }
}
