package io.chorus.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where two hash trees differ, as pure functions: the naive leaf-by-leaf diff, one step of the level-by-level
 * descent an exchange makes over the network (which children of the differing parents differ), and the whole
 * descent between two trees in one process. Hashes of a level are laid out parent by parent, children in index
 * order, as {@link HashTree#children} returns them. Stateless.
 */
public final class TreeDifference {

    /** Where a descent gets the hashes of children; {@link HashTree#children} is one. */
    @FunctionalInterface
    public interface Source {
        long[] children(int leafBits, int parentBits, int[] parents);
    }

    private TreeDifference() {
    }

    /** The indexes where two leaf arrays of one resolution differ, ascending. */
    public static int[] difference(long[] a, long[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("trees of different resolutions: " + a.length + " and " + b.length);
        }
        int[] out = new int[a.length];
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                out[n++] = i;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The bits of the level under {@code parentBits} in a tree compared at {@code leafBits}. */
    public static int childBits(int parentBits, int leafBits) {
        return Math.min(parentBits + TreeLevels.FANOUT_BITS, leafBits);
    }

    /**
     * One descent step: the children (indexes at {@link #childBits}) of {@code parents} whose hashes differ
     * between {@code mine} and {@code theirs}, ascending.
     */
    public static int[] differingChildren(int[] parents, int parentBits, int leafBits, long[] mine, long[] theirs) {
        int childBits = childBits(parentBits, leafBits);
        int fanout = 1 << (childBits - parentBits);
        if (mine.length != parents.length * fanout || theirs.length != mine.length) {
            throw new IllegalArgumentException("expected " + parents.length * fanout + " hashes a side, got "
                    + mine.length + " and " + theirs.length);
        }
        int[] out = new int[mine.length];
        int n = 0;
        for (int i = 0; i < parents.length; i++) {
            int first = parents[i] << (childBits - parentBits);
            for (int c = 0; c < fanout; c++) {
                if (mine[i * fanout + c] != theirs[i * fanout + c]) {
                    out[n++] = first + c;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * The leaves (at {@code leafBits}) where two trees differ, found level by level from the root, asking each
     * side for at most {@code maxParents} parents' children at a time: what an exchange does, in one process.
     */
    public static int[] descend(Source a, Source b, int leafBits, int maxParents) {
        int[] level = {0};
        int bits = 0;
        while (bits < leafBits && level.length > 0) {
            List<int[]> next = new ArrayList<>();
            for (int from = 0; from < level.length; from += maxParents) {
                int[] parents = Arrays.copyOfRange(level, from, Math.min(level.length, from + maxParents));
                next.add(differingChildren(parents, bits, leafBits, a.children(leafBits, bits, parents),
                        b.children(leafBits, bits, parents)));
            }
            level = next.stream().flatMapToInt(Arrays::stream).toArray();
            bits = childBits(bits, leafBits);
        }
        return level;
    }
}
