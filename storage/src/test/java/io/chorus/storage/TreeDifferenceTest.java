package io.chorus.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.testkit.SimulationSeeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link TreeDifference} against naive diffs: the leaf diff on random arrays, and the paged descent between two
 * trees (synthetic sources folded from leaf arrays, and real {@link HashTree}s) finds exactly the leaves that differ,
 * for no, one, a few and many differences, asking for at most {@code maxParents} parents at a time.
 */
@Tag(SimulationSeeds.TAG)
class TreeDifferenceTest {

    @Test
    void differenceIsTheNaiveLeafDiff() {
        SimulationSeeds.forEachSeed(20, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int bits = 0; bits <= 12; bits++) {
                long[] a = randomLeaves(rnd, bits);
                long[] b = mutate(rnd, a, differences(rnd, 1 << bits));
                assertThat(TreeDifference.difference(a, b)).isEqualTo(naiveDiff(a, b));
                assertThat(TreeDifference.difference(b, a)).isEqualTo(naiveDiff(a, b));
                assertThat(TreeDifference.difference(a, a.clone())).isEmpty();
            }
        });
        assertThatThrownBy(() -> TreeDifference.difference(new long[4], new long[8]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void descendFindsExactlyTheDifferingLeavesPagingParents() {
        SimulationSeeds.forEachSeed(10, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int leafBits : new int[] {1, 3, 4, 5, 8, 9, 12}) {
                for (int many : new int[] {0, 1, 2 + rnd.nextInt(5), (1 << leafBits) / 3, 1 << leafBits}) {
                    int k = Math.min(many, 1 << leafBits);
                    long[] a = randomLeaves(rnd, leafBits);
                    long[] b = mutate(rnd, a, k);
                    // One side may hold a finer tree: it folds to the exchange's resolution.
                    int finer = leafBits + rnd.nextInt(3);
                    long[] bFine = refine(rnd, b, finer - leafBits);
                    for (int maxParents : new int[] {1, 3, 16, 100_000}) {
                        CountingSource sa = new CountingSource(leafSource(a, leafBits), maxParents);
                        CountingSource sb = new CountingSource(leafSource(bFine, finer), maxParents);
                        int[] found = TreeDifference.descend(sa, sb, leafBits, maxParents);
                        assertThat(found).as("%d bits, %d differences, %d parents a request", leafBits, k,
                                maxParents).isEqualTo(naiveDiff(a, b));
                        assertThat(sa.parentsAsked).isEqualTo(sb.parentsAsked);
                        assertThat(sa.parentsAsked).as("parents asked: the differing nodes above the leaves")
                                .isEqualTo(differingInnerNodes(a, b, leafBits));
                    }
                }
            }
        });
    }

    @Test
    void descendBetweenHashTreesOfRandomKeys() {
        SimulationSeeds.forEachSeed(10, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int differing : new int[] {0, 1, 4, 60, 1_000}) {
                HashTree mine = new HashTree(5, true);
                HashTree theirs = new HashTree(5, true);
                for (int i = 0; i < 1_000; i++) {
                    byte[] stored = StoreKeys.dataKey(5, ("key-" + seed + "-" + i).getBytes(StandardCharsets.UTF_8));
                    long hash = rnd.nextLong();
                    mine.apply(stored, 0, hash, false, true, false);
                    // The first 'differing' keys hold another state on the other side (or none at all).
                    if (i >= differing) {
                        theirs.apply(stored, 0, hash, false, true, false);
                    } else if (rnd.nextBoolean()) {
                        theirs.apply(stored, 0, rnd.nextLong(), false, true, false);
                    }
                }
                int bits = mine.bits();
                int[] expected = naiveDiff(mine.leavesCopy(), theirs.leavesCopy());
                assertThat(expected.length).isLessThanOrEqualTo(differing);
                assertThat(TreeDifference.descend(mine::children, theirs::children, bits, 3)).isEqualTo(expected);
                assertThat(TreeDifference.descend(theirs::children, mine::children, bits, 1_000)).isEqualTo(expected);
                assertThat(expected.length == 0).isEqualTo(mine.root() == theirs.root());
            }
        });
    }

    @Test
    void differingChildrenChecksItsInput() {
        int[] parents = {2, 5};
        long[] mine = new long[32];
        long[] theirs = new long[32];
        theirs[17] = 1; // the second parent's second child
        assertThat(TreeDifference.differingChildren(parents, 4, 8, mine, theirs)).containsExactly(5 * 16 + 1);
        // Children of a level 2 bits above the leaves: 4 each.
        assertThat(TreeDifference.differingChildren(parents, 8, 10, new long[8], new long[] {0, 0, 0, 0, 0, 0, 1, 0}))
                .containsExactly(5 * 4 + 2);
        assertThatThrownBy(() -> TreeDifference.differingChildren(parents, 4, 8, new long[31], new long[32]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TreeDifference.differingChildren(parents, 4, 8, new long[32], new long[16]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TreeDifference.childBits(0, 10)).isEqualTo(4);
        assertThat(TreeDifference.childBits(8, 10)).isEqualTo(10);
    }

    /** Answers children by folding a leaf array at {@code bits} naively. */
    private static TreeDifference.Source leafSource(long[] leaves, int bits) {
        return (leafBits, parentBits, parents) -> {
            if (leafBits > bits) {
                throw new AssertionError("asked at " + leafBits + " bits of a tree of " + bits);
            }
            int childBits = TreeDifference.childBits(parentBits, leafBits);
            int fanout = 1 << (childBits - parentBits);
            long[] out = new long[parents.length * fanout];
            for (int i = 0; i < parents.length; i++) {
                for (int c = 0; c < fanout; c++) {
                    int child = (parents[i] << (childBits - parentBits)) + c;
                    int shift = bits - childBits;
                    long h = 0;
                    for (int leaf = child << shift; leaf < (child + 1) << shift; leaf++) {
                        h ^= leaves[leaf];
                    }
                    out[i * fanout + c] = h;
                }
            }
            return out;
        };
    }

    /** Counts the parents a descent asks about and checks each request's size and order. */
    private static final class CountingSource implements TreeDifference.Source {
        private final TreeDifference.Source inner;
        private final int maxParents;
        int parentsAsked;

        CountingSource(TreeDifference.Source inner, int maxParents) {
            this.inner = inner;
            this.maxParents = maxParents;
        }

        @Override
        public long[] children(int leafBits, int parentBits, int[] parents) {
            // Plain checks: this runs for every request of every descent.
            if (parents.length < 1 || parents.length > maxParents) {
                throw new AssertionError(parents.length + " parents in one request, at most " + maxParents);
            }
            for (int i = 1; i < parents.length; i++) {
                if (parents[i] <= parents[i - 1]) {
                    throw new AssertionError("parents out of order: " + java.util.Arrays.toString(parents));
                }
            }
            parentsAsked += parents.length;
            return inner.children(leafBits, parentBits, parents);
        }
    }

    /** Nodes of the levels a descent visits above the leaves (0, 4, 8, ... bits) where the two sides differ. */
    private static int differingInnerNodes(long[] a, long[] b, int leafBits) {
        int n = 0;
        for (int bits = 0; bits < leafBits; bits = TreeDifference.childBits(bits, leafBits)) {
            int shift = leafBits - bits;
            for (int node = 0; node < 1 << bits; node++) {
                long ha = 0;
                long hb = 0;
                for (int leaf = node << shift; leaf < (node + 1) << shift; leaf++) {
                    ha ^= a[leaf];
                    hb ^= b[leaf];
                }
                n += bits == 0 || ha != hb ? 1 : 0; // the root is always asked about
            }
        }
        return n;
    }

    private static int[] naiveDiff(long[] a, long[] b) {
        return IntStream.range(0, a.length).filter(i -> a[i] != b[i]).toArray();
    }

    private static long[] randomLeaves(SplittableRandom rnd, int bits) {
        long[] out = new long[1 << bits];
        for (int i = 0; i < out.length; i++) {
            out[i] = rnd.nextInt(4) == 0 ? 0 : rnd.nextLong(); // empty leaves too
        }
        return out;
    }

    private static int differences(SplittableRandom rnd, int n) {
        return switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> Math.min(n, 1 + rnd.nextInt(5));
            default -> rnd.nextInt(n + 1);
        };
    }

    /** A copy with {@code k} distinct leaves changed. */
    private static long[] mutate(SplittableRandom rnd, long[] a, int k) {
        long[] b = a.clone();
        List<Integer> indexes = new ArrayList<>(IntStream.range(0, a.length).boxed().toList());
        for (int i = 0; i < k; i++) {
            int index = indexes.remove(rnd.nextInt(indexes.size()));
            long v;
            do {
                v = rnd.nextLong();
            } while (v == a[index]);
            b[index] = v;
        }
        return b;
    }

    /** A finer leaf array ({@code extra} more bits) whose fold is {@code leaves}. */
    private static long[] refine(SplittableRandom rnd, long[] leaves, int extra) {
        int per = 1 << extra;
        long[] out = new long[leaves.length * per];
        for (int i = 0; i < leaves.length; i++) {
            long rest = leaves[i];
            for (int j = 0; j < per - 1; j++) {
                out[i * per + j] = rnd.nextLong();
                rest ^= out[i * per + j];
            }
            out[i * per + per - 1] = rest;
        }
        return out;
    }
}
