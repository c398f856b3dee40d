package io.chorus.core.causal;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded random history of a key on a few replicas: clients read contexts (possibly stale), write through
 * random coordinators, delete, and replicas sync pairwise. It records every state reached and every write made,
 * so tests can check laws over reachable states and compare the outcome with an oracle.
 */
final class History {

    /** A write as the oracle sees it: its dot and the context that came with it. */
    record Write(Dot dot, VersionVector context, boolean tombstone) {
    }

    final long seed;
    final Random rnd;
    final ActorId[] actors;
    final SiblingSet[] replicas;
    final VersionVector[] clientContexts;
    final List<SiblingSet> reached = new ArrayList<>();
    final List<Write> writes = new ArrayList<>();
    private long nextValue;

    History(long seed, int replicaCount, int clientCount) {
        this.seed = seed;
        this.rnd = new Random(seed);
        this.actors = new ActorId[replicaCount];
        this.replicas = new SiblingSet[replicaCount];
        for (int i = 0; i < replicaCount; i++) {
            // Two epochs of one node name sometimes, to exercise actor ordering by epoch.
            actors[i] = ActorId.of("node-" + (i / 2), i % 2 == 0 ? 7 : 1L << 40);
            replicas[i] = SiblingSet.empty();
        }
        this.clientContexts = new VersionVector[clientCount];
        java.util.Arrays.fill(clientContexts, VersionVector.empty());
    }

    /** Runs {@code steps} random operations. */
    History run(int steps) {
        for (int i = 0; i < steps; i++) {
            step();
        }
        return this;
    }

    void step() {
        int op = rnd.nextInt(10);
        int r = rnd.nextInt(replicas.length);
        int c = rnd.nextInt(clientContexts.length);
        if (op < 3) {
            clientContexts[c] = replicas[r].context();
        } else if (op < 7) {
            write(c, r, rnd.nextInt(8) == 0);
        } else {
            int other = rnd.nextInt(replicas.length);
            replicas[r] = replicas[r].merge(replicas[other]);
            reached.add(replicas[r]);
        }
    }

    /** Client {@code c} writes through replica {@code r} with its current context; returns the new state. */
    SiblingSet write(int c, int r, boolean tombstone) {
        VersionVector ctx = clientContexts[c];
        byte[] value = tombstone ? null : ("v" + nextValue++ + "-" + seed).getBytes();
        SiblingSet before = replicas[r];
        SiblingSet after = before.update(ctx, actors[r], value, nextValue);
        Dot dot = before.nextDot(actors[r], ctx);
        writes.add(new Write(dot, ctx, tombstone));
        replicas[r] = after;
        reached.add(after);
        return after;
    }

    /** Every replica merged into one: the state all replicas converge to after anti-entropy. */
    SiblingSet converged() {
        SiblingSet all = SiblingSet.empty();
        for (SiblingSet s : replicas) {
            all = all.merge(s);
        }
        return all;
    }

    SiblingSet anyReached() {
        return reached.isEmpty() ? SiblingSet.empty() : reached.get(rnd.nextInt(reached.size()));
    }
}
