package io.chorus.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * A seeded plan of node stops and restarts for a real cluster: which node, and how long after the workload's start.
 * Drawn up front from the seed alone, so the same seed stops the same nodes in the same order whatever the threads
 * do; only the exact moments vary (a stop or a restart takes as long as it takes). At most {@code maxDown} nodes
 * are down at once. Immutable.
 */
record FaultSchedule(List<Fault> faults) {

    /**
     * Stop (a crash, or a graceful stop) or restart node {@code node} (an index into the cluster) at
     * {@code atMillis} after the start.
     */
    record Fault(long atMillis, boolean stop, boolean graceful, int node) {
        @Override
        public String toString() {
            String what = !stop ? "restart" : graceful ? "stop gracefully" : "crash";
            return what + " node " + node + " (planned at +" + atMillis + " ms)";
        }
    }

    FaultSchedule {
        faults = List.copyOf(faults);
    }

    /**
     * Faults every 150-650 ms from 100-400 ms after the start until {@code untilMillis}: a stop when nothing is
     * down, a restart when {@code maxDown} nodes are, else either; a quarter of the stops are graceful.
     */
    static FaultSchedule random(Random random, int nodes, int maxDown, long untilMillis) {
        List<Fault> faults = new ArrayList<>();
        TreeSet<Integer> down = new TreeSet<>();
        for (long t = 100 + random.nextInt(300); t < untilMillis; t += 150 + random.nextInt(500)) {
            boolean stop = down.isEmpty() || down.size() < maxDown && random.nextBoolean();
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                if (down.contains(i) != stop) {
                    candidates.add(i);
                }
            }
            int node = candidates.get(random.nextInt(candidates.size()));
            if (stop) {
                down.add(node);
            } else {
                down.remove(node);
            }
            // Mostly crashes (connections reset, uncommitted writes failed), some graceful stops.
            faults.add(new Fault(t, stop, stop && random.nextInt(4) == 0, node));
        }
        return new FaultSchedule(faults);
    }
}
