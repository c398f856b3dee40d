package io.chorus.core.causal;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;

/**
 * What a client's causal context may hold (docs/consistency.md, "Contexts"). A context is opaque to clients and
 * should be one a read returned, but the node cannot tell: whatever actors and counters it names, the write's new
 * clock absorbs for good. So its actors are bounded to a number no real key reaches, and its counters far below the
 * point where a stamp could overflow (a counter of 2^63-1 for the coordinator would make its next dot overflow and
 * poison the key for it); a counter over that bound is refused only when the key's own clock does not already have
 * it. Actors a context names that the key's clock does not know are accepted: they may be writes this replica has
 * not received yet, and dropping them would let an overwritten or deleted value come back when those writes
 * arrive; the clock's growth is bounded where writes are stored. Stateless.
 */
public final class ContextLimits {

    /** The highest counter a client's context may name: 2^62, more writes than any actor will ever stamp. */
    public static final long MAX_COUNTER = 1L << 62;
    /** The most actors a client's context may name. */
    public static final int MAX_ACTORS = 1024;

    private ContextLimits() {
    }

    /** @throws ChorusException BAD_REQUEST when a client's context names more than {@link #MAX_ACTORS} actors */
    public static void checkActors(VersionVector context) {
        if (context.size() > MAX_ACTORS) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "the context names " + context.size()
                    + " actors, over the limit of " + MAX_ACTORS);
        }
    }

    /**
     * Checks a client's context against the key's stored clock, where it is about to be absorbed: a counter over
     * {@link #MAX_COUNTER} is refused unless the key's clock already has it (a key whose clock went past the bound,
     * which takes 2^62 writes or a context at the bound, stays writable with the contexts its reads return).
     *
     * @throws ChorusException BAD_REQUEST naming the counter
     */
    public static void checkCounters(VersionVector context, VersionVector stored) {
        for (int i = 0; i < context.size(); i++) {
            long counter = context.counter(i);
            if (counter > MAX_COUNTER && counter > stored.get(context.actor(i))) {
                throw new ChorusException(ErrorCode.BAD_REQUEST, "the context's counter " + counter + " for "
                        + context.actor(i) + " is over the limit of 2^62 (" + MAX_COUNTER + ")");
            }
        }
    }
}
