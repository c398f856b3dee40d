package io.chorus.server.cli;

import io.chorus.core.NodeId;
import io.chorus.ring.RingState;

/**
 * Where one node's join or leave has got, read from a ring state polled from the cluster: staged (the ring it
 * moves to does not show the change yet), moving (partitions being handed off), or over (the ring settled with the
 * change). Pure, so {@code chorus join|leave --wait} is tested on hand-made ring states. Immutable.
 *
 * @param node    the node joining or leaving
 * @param leaving true for a leave, false for a join
 */
record RingWatch(NodeId node, boolean leaving) {

    enum Phase { STAGED, MOVING, OVER }

    /** The phase, with partitions done out of those that move in the ring change (0 of 0 while staged). */
    record Step(Phase phase, int done, int total) {
    }

    Step observe(RingState state) {
        // A join is committed once the target ring has the node, a leave once it has not.
        boolean committed = state.to().contains(node) != leaving;
        if (!committed) {
            return new Step(Phase.STAGED, 0, 0);
        }
        if (state.settled()) {
            return new Step(Phase.OVER, 0, 0);
        }
        // The partitions of this change are those with a new replica; done ones are marked, not forgotten, so
        // the total holds still while the count done grows.
        int total = 0;
        int moving = 0;
        for (int p = 0; p < state.partitionCount(); p++) {
            if (!state.receivers(p).isEmpty()) {
                total++;
                if (!state.isDone(p)) {
                    moving++;
                }
            }
        }
        return new Step(Phase.MOVING, total - moving, total);
    }
}
