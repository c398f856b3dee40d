package io.chorus.client;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether one node answers, judged from its requests' outcomes: the decision half of the client's suspect logic,
 * with no I/O and no clock of its own (every time is handed in), so tests can drive it through any interleaving.
 *
 * <p>A request that gets no reply at all within the client's wait is a <em>stall</em>. After
 * {@code suspectAfterStalls} consecutive stalls (no reply from the node between them) the node is suspect for
 * {@code suspectNanos}: the client sends its keys' requests to their other candidates. Then one caller
 * {@linkplain #claimProbe claims a probe}; until the probe ends the node stays suspect for everyone else, so a
 * frozen node costs one probe per period rather than a burst of stalled requests. Any reply (a success or an
 * error answer) clears everything.
 *
 * <p>Many requests in flight to a node that freezes all stall around the same moment, and some of them may end
 * only after the node answered something again (a probe, a late request). Each request therefore carries the
 * {@linkplain #token token} it was sent under: a clear bumps the token's generation, and a stall of a request sent
 * before the last clear is ignored, since the node has answered since. So the burst makes the node suspect once
 * and cannot make it suspect again after it has recovered.
 *
 * <p>Thread-safe and lock-free: the state is one immutable snapshot swapped by compare-and-set. A reply from a
 * node in good standing, the common case, is one volatile read and writes nothing.
 */
final class NodeHealth {

    /**
     * @param generation bumped by every clear; requests remember it to tell stale stalls apart
     * @param stalls     consecutive stalls since the last clear
     * @param suspect    whether requests avoid the node
     * @param until      while suspect, when the next probe is due (a {@code nanoTime} value)
     * @param probing    whether a probe is out; the node stays suspect until it ends
     */
    private record State(long generation, int stalls, boolean suspect, long until, boolean probing) {
    }

    private final int suspectAfterStalls;
    private final long suspectNanos;
    private final AtomicReference<State> state = new AtomicReference<>(new State(0, 0, false, 0, false));

    NodeHealth(int suspectAfterStalls, long suspectNanos) {
        if (suspectAfterStalls < 1 || suspectNanos < 0) {
            throw new IllegalArgumentException("need at least one stall and a non-negative period: "
                    + suspectAfterStalls + ", " + suspectNanos);
        }
        this.suspectAfterStalls = suspectAfterStalls;
        this.suspectNanos = suspectNanos;
    }

    /** To take just before sending a request, and to hand back with its outcome. */
    long token() {
        return state.get().generation;
    }

    /** The node answered (a success or an error answer). Returns whether this ended a suspicion. */
    boolean onReply() {
        while (true) {
            State s = state.get();
            if (s.stalls == 0 && !s.suspect) {
                return false;
            }
            if (state.compareAndSet(s, new State(s.generation + 1, 0, false, 0, false))) {
                return s.suspect;
            }
        }
    }

    /**
     * A request sent under {@code token} got no reply within the client's wait. Returns whether this made the
     * node suspect (false if it already was, or if the node answered since the request was sent).
     */
    boolean onStall(long token, long nowNanos) {
        while (true) {
            State s = state.get();
            if (s.generation != token) {
                return false;
            }
            int stalls = s.stalls == Integer.MAX_VALUE ? s.stalls : s.stalls + 1;
            boolean suspect = s.suspect || stalls >= suspectAfterStalls;
            long until = !suspect ? 0 : s.suspect ? later(s.until, nowNanos + suspectNanos) : nowNanos + suspectNanos;
            if (state.compareAndSet(s, new State(s.generation, stalls, suspect, until, s.probing))) {
                return suspect && !s.suspect;
            }
        }
    }

    /** Whether requests should go elsewhere first: suspect, and the period not over or a probe out. */
    boolean avoid(long nowNanos) {
        State s = state.get();
        return s.suspect && (s.probing || nowNanos - s.until < 0);
    }

    /** Whether the node has not answered since it became suspect (whatever the period). */
    boolean suspect() {
        return state.get().suspect;
    }

    /**
     * True for exactly one caller once the suspect period is over and no probe is out: that caller sends the
     * probe and reports its end with {@link #onReply} or {@link #probeFailed}.
     */
    boolean claimProbe(long nowNanos) {
        while (true) {
            State s = state.get();
            if (!s.suspect || s.probing || nowNanos - s.until < 0) {
                return false;
            }
            if (state.compareAndSet(s, new State(s.generation, s.stalls, true, s.until, true))) {
                return true;
            }
        }
    }

    /**
     * The probe claimed under {@code token} got no reply (or could not be sent): suspect for another period,
     * unless a reply cleared the node meanwhile.
     */
    void probeFailed(long token, long nowNanos) {
        while (true) {
            State s = state.get();
            if (s.generation != token || !s.probing) {
                return;
            }
            if (state.compareAndSet(s, new State(s.generation, s.stalls, true, nowNanos + suspectNanos, false))) {
                return;
            }
        }
    }

    private static long later(long a, long b) {
        return a - b >= 0 ? a : b; // nanoTime values compare by difference: they may wrap
    }

    @Override
    public String toString() {
        return "NodeHealth" + state.get();
    }
}
