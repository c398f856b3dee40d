package io.chorus.server.cli;

import io.chorus.client.ChorusClient;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import io.chorus.server.config.Durations;
import io.chorus.transport.protocol.TransfersResponse;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --wait} of {@code chorus join} and {@code chorus leave}: follows the ring change to its end by polling the
 * cluster's ring state ({@link RingWatch} reads it) and the node's transfers, with progress over the partitions
 * moved. Not the default: with {@code auto_commit: false} the change waits for an operator's {@code chorus commit},
 * and a script that stages and then commits must not hang on the first command. Not thread-safe (a mixin).
 */
public final class RingChangeWait {

    static final long POLL_MILLIS = 500;

    @Option(names = "--wait", description = "Follow the change until the ring settled with it (it waits for the "
            + "commit first: chorus commit, or auto_commit), with progress over the partitions moved.")
    boolean wait;

    @Option(names = "--deadline", defaultValue = "30m", paramLabel = "DURATION",
            description = "With --wait: give up (exit 1) after this long, e.g. 90s, 30m (default: ${DEFAULT-VALUE}).")
    String deadline;

    @Mixin
    ProgressOption progress;

    /** Refuses a bad --deadline or --progress before the change is staged. */
    Duration check() {
        progress.mode();
        return Durations.parse(deadline);
    }

    /**
     * Polls until the change is over or the deadline passes; true when over.
     *
     * @param ringFrom nodes to ask for the ring state, in order: the first that answers is read (a leaver stops
     *                 at the end, so it comes last)
     * @param node     the node joining or leaving, whose transfers count the keys moved
     */
    boolean follow(ChorusClient c, RingWatch watch, List<InetSocketAddress> ringFrom, InetSocketAddress node,
            PrintWriter err) throws InterruptedException {
        long end = System.nanoTime() + check().toNanos();
        String what = (watch.leaving() ? "leave " : "join ") + watch.node();
        Progress bar = null;
        boolean saidStaged = false;
        int moved = 0;
        while (System.nanoTime() - end < 0) {
            RingState state = ring(c, ringFrom);
            RingWatch.Step step = state == null ? null : watch.observe(state);
            if (step != null && step.phase() == RingWatch.Phase.STAGED && !saidStaged) {
                err.println(what + ": staged; waiting for the commit (chorus commit, or auto_commit)");
                err.flush();
                saidStaged = true;
            }
            if (step != null && step.phase() != RingWatch.Phase.STAGED) {
                // The bar starts at the commit, so its rate and ETA leave out the wait for it.
                if (bar == null) {
                    bar = progress.start(what, "partitions", step.total(), err);
                }
                if (step.phase() == RingWatch.Phase.OVER) {
                    bar.update(moved, "settled");
                    bar.finish();
                    return true;
                }
                moved = step.total();
                long keys = keysMoved(c, node);
                bar.update(step.done(), (step.done() == step.total() ? "settling, " : "")
                        + (keys < 0 ? "" : keys + " keys moved"));
            }
            Thread.sleep(POLL_MILLIS);
        }
        if (bar != null) {
            bar.finish();
        }
        return false;
    }

    private static RingState ring(ChorusClient c, List<InetSocketAddress> from) {
        for (InetSocketAddress a : from) {
            try {
                return RingStateCodec.decode(c.ringAsync(a).get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (Exception e) {
                // Down or gone (a leaver that finished): ask the next one.
            }
        }
        return null;
    }

    /** Keys the node fetched and pushed for the change so far, or -1 when it does not answer. */
    private static long keysMoved(ChorusClient c, InetSocketAddress node) {
        try {
            TransfersResponse t = c.transfersAsync(node).get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
            return t.transfers().stream().mapToLong(TransfersResponse.Transfer::keysMoved).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
