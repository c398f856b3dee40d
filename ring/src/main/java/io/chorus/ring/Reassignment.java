package io.chorus.ring;

import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The planning core of {@link Claim}: given who owns what now (some partitions unowned because their owner left),
 * decide who owns what next. Pure from the outside (arrays in, a new array out); one instance per plan, confined
 * to the calling thread.
 *
 * <p>Balance with minimal movement: with S members and Q partitions, {@code Q mod S} members end with
 * {@code f + 1 = Q/S + 1} partitions and the rest with {@code f}. Call the members owning more than {@code f} now
 * "high" and the others "low". Every high member keeps up to f + 1, every low member keeps all it has, and the
 * {@code Q mod S} larger shares go to high members first. Any assignment of that shape moves the fewest
 * partitions, and it leaves one free choice: which high members give up their (f+1)-th partition (when there are
 * more high members than larger shares, as on a join), or which low members take one extra (when there are
 * fewer, as on a leave). That choice is made along the way, for spacing.
 *
 * <p>Spacing counts "conflicts", same-owner pairs of partitions closer than {@code spacing}. Greedy: each step
 * hands one movable partition to one member that may still take one, picking the pair whose move removes the
 * most conflicts; ties go to the receiver that must still take the most, then to the partition nearest clockwise
 * from where that receiver should next take one (its last pick plus S), which spreads a new node's partitions
 * evenly. Then a swap search repairs what the greedy's order spoiled.
 */
final class Reassignment {

    static final int UNOWNED = -1;
    /** Passes of the swap search; each is O(conflicted × moved × spacing), and rings settle in two or three. */
    private static final int MAX_SWAP_PASSES = 8;

    private final int[] owners;
    private final int mask;
    private final int radius;
    private final boolean[] high;
    /** Partitions a member has to give or take whatever happens. */
    private final int[] mustGive;
    private final int[] mustTake;
    /** How many high members still have to give up one more, or low members still have to take one more. */
    private int optionalGive;
    private int optionalTake;
    private final boolean[] usedOptional;
    /** Movable partitions by relief: how many conflicts of its current owner moving it would remove. */
    private final NavigableSet<Integer>[] byRelief;
    private final int[] relief;
    private final boolean[] movable;

    @SuppressWarnings({"unchecked", "rawtypes"}) // generic array of sets, filled only with TreeSet<Integer>
    private Reassignment(int[] current, int members, int spacing) {
        int q = current.length;
        this.owners = current.clone();
        this.mask = q - 1;
        // Beyond Q/2 the two sides of a window overlap and would count partitions twice.
        this.radius = Math.min(spacing - 1, q / 2);
        int[] load = new int[members];
        for (int o : owners) {
            if (o != UNOWNED) {
                load[o]++;
            }
        }
        int f = q / members;
        int larger = q % members;
        this.high = new boolean[members];
        this.mustGive = new int[members];
        this.mustTake = new int[members];
        this.usedOptional = new boolean[members];
        int highCount = 0;
        for (int m = 0; m < members; m++) {
            high[m] = load[m] > f;
            if (high[m]) {
                highCount++;
                mustGive[m] = load[m] - (f + 1);
            } else {
                mustTake[m] = f - load[m];
            }
        }
        this.optionalGive = Math.max(0, highCount - larger);
        this.optionalTake = Math.max(0, larger - highCount);
        this.byRelief = new NavigableSet[2 * radius + 1];
        for (int r = 0; r < byRelief.length; r++) {
            byRelief[r] = new TreeSet<>();
        }
        this.relief = new int[q];
        this.movable = new boolean[q];
        for (int p = 0; p < q; p++) {
            if (owners[p] == UNOWNED || canGive(owners[p])) {
                movable[p] = true;
                relief[p] = owners[p] == UNOWNED ? 0 : conflicts(p, owners[p]);
                byRelief[relief[p]].add(p);
            }
        }
    }

    /**
     * @param current owner index of each partition, or {@link #UNOWNED}
     * @param members S, the number of members of the new ring
     * @param spacing the window within which a member should not own two partitions
     * @return the new owner of each partition: balanced, differing from {@code current} in as few places as can be
     */
    static int[] balance(int[] current, int members, int spacing) {
        return new Reassignment(current, members, spacing).plan();
    }

    private boolean canGive(int m) {
        return mustGive[m] > 0 || high[m] && !usedOptional[m] && optionalGive > 0;
    }

    private boolean canTake(int m) {
        return mustTake[m] > 0 || !high[m] && !usedOptional[m] && optionalTake > 0;
    }

    private int[] plan() {
        int members = high.length;
        int[] cursor = new int[members];
        for (int m = 0; m < members; m++) {
            cursor[m] = (int) ((long) m * owners.length / members);
        }
        int total = optionalTake;
        for (int t : mustTake) {
            total += t;
        }
        // Unowned partitions plus what must and may be given equal what must and may be taken, so every step finds
        // a movable partition.
        int[] moved = new int[total];
        for (int step = 0; step < total; step++) {
            int bestReceiver = -1;
            long best = 0;
            for (int r = 0; r < members; r++) {
                if (!canTake(r)) {
                    continue;
                }
                long pick = bestFor(r, cursor[r]);
                if (bestReceiver < 0 || delta(pick) < delta(best) || delta(pick) == delta(best)
                        && (mustTake[r] > mustTake[bestReceiver]
                        || mustTake[r] == mustTake[bestReceiver] && distance(pick) < distance(best))) {
                    best = pick;
                    bestReceiver = r;
                }
            }
            if (bestReceiver < 0 || best == Long.MAX_VALUE) {
                throw new IllegalStateException("claim accounting broken: nothing left to move at step " + step);
            }
            int p = (cursor[bestReceiver] + distance(best)) & mask;
            assign(p, bestReceiver);
            // A balanced member owns about Q/S partitions, so its next one belongs about S further on.
            cursor[bestReceiver] = (p + members) & mask;
            moved[step] = p;
        }
        improveBySwaps(moved);
        return owners;
    }

    /**
     * The best movable partition for receiver {@code r}: the smallest conflict change, then the smallest clockwise
     * distance from {@code cursor}, packed by {@link #pick}. Buckets are searched from the largest relief down,
     * each clockwise from the cursor, and the search stops as soon as no later candidate can do better.
     */
    private long bestFor(int r, int cursor) {
        long best = Long.MAX_VALUE;
        for (int rel = byRelief.length - 1; rel >= 0; rel--) {
            if (best != Long.MAX_VALUE && delta(best) < -rel) {
                break;
            }
            NavigableSet<Integer> bucket = byRelief[rel];
            for (Iterable<Integer> arc : List.of(bucket.tailSet(cursor, true), bucket.headSet(cursor, false))) {
                int found = Integer.MAX_VALUE;
                for (int p : arc) {
                    found = conflicts(p, r);
                    best = Math.min(best, pick(found - rel, (p - cursor) & mask));
                    if (found == 0) {
                        break;
                    }
                }
                if (found == 0) {
                    break;
                }
            }
        }
        return best;
    }

    /** A candidate packed so that comparing longs compares (conflict change, clockwise distance). */
    private static long pick(int delta, int distance) {
        return ((long) delta << 32) | distance;
    }

    private static int delta(long pick) {
        return (int) (pick >> 32);
    }

    private static int distance(long pick) {
        return (int) pick;
    }

    private void assign(int p, int receiver) {
        int from = owners[p];
        unlist(p);
        owners[p] = receiver;
        if (mustTake[receiver] > 0) {
            mustTake[receiver]--;
        } else {
            usedOptional[receiver] = true;
            optionalTake--;
        }
        if (from != UNOWNED) {
            if (mustGive[from] > 0) {
                mustGive[from]--;
            } else {
                usedOptional[from] = true;
                if (--optionalGive == 0) {
                    // The last optional give closes the choice: every high member now keeps what it has left.
                    for (int m = 0; m < high.length; m++) {
                        if (high[m] && mustGive[m] == 0) {
                            unlistAllOf(m);
                        }
                    }
                }
            }
            if (!canGive(from)) {
                unlistAllOf(from);
            }
        }
        // Neighbours' owners lost or gained a nearby partition: their relief changed.
        for (int d = -radius; d <= radius; d++) {
            int x = (p + d) & mask;
            if (movable[x] && owners[x] != UNOWNED) {
                byRelief[relief[x]].remove(x);
                relief[x] = conflicts(x, owners[x]);
                byRelief[relief[x]].add(x);
            }
        }
    }

    private void unlistAllOf(int member) {
        for (int x = 0; x < owners.length; x++) {
            if (owners[x] == member && movable[x]) {
                unlist(x);
            }
        }
    }

    private void unlist(int p) {
        movable[p] = false;
        byRelief[relief[p]].remove(p);
    }

    /**
     * The greedy fills shares in order and can spend one receiver's share on a partition another receiver needed
     * more. Swapping the new owners of two moved partitions keeps every load and the set of moved partitions (no
     * receiver gave anything, so none gets back its own), so it can only improve spacing: keep swapping while
     * some swap removes conflicts.
     */
    private void improveBySwaps(int[] moved) {
        for (int pass = 0; pass < MAX_SWAP_PASSES; pass++) {
            boolean improved = false;
            for (int a : moved) {
                // A swap can only help if one side has a conflict; let the conflicted side look for a partner.
                if (conflicts(a, owners[a]) == 0) {
                    continue;
                }
                for (int b : moved) {
                    int oa = owners[a];
                    int ob = owners[b];
                    if (oa == ob) {
                        continue;
                    }
                    int before = conflicts(a, oa) + conflicts(b, ob);
                    owners[a] = ob;
                    owners[b] = oa;
                    if (conflicts(a, ob) + conflicts(b, oa) < before) {
                        improved = true;
                    } else {
                        owners[a] = oa;
                        owners[b] = ob;
                    }
                }
            }
            if (!improved) {
                return;
            }
        }
    }

    /** Partitions other than {@code p} within {@code radius} either side owned by {@code member}. */
    private int conflicts(int p, int member) {
        int n = 0;
        for (int d = 1; d <= radius; d++) {
            if (owners[(p + d) & mask] == member) {
                n++;
            }
            if (2 * d != owners.length && owners[(p - d) & mask] == member) {
                n++;
            }
        }
        return n;
    }
}
