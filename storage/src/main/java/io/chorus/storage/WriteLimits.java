package io.chorus.storage;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;

/**
 * The checks a write's result must pass before it is stored, decided apart from the writing. They apply to a
 * client's write at its coordinator ({@link StorageEngine#update}); a merge of replica states
 * ({@link StorageEngine#put}) is always stored, since replicas that could not merge would never converge, and is
 * only reported when over a limit ({@link #overLimit}): the causal merge is bounded by its inputs. A write is
 * refused only for what it adds: a new sibling value over {@code maxValueSize}, a result with more siblings (or
 * more bytes, or more actors in its clock) than allowed <em>and</em> more than was stored, so a write that reduces
 * an over-limit key (a reconciling client) is never blocked. Immutable.
 */
record WriteLimits(int maxValueSize, int maxObjectSize, int siblingWarn, int maxSiblings) {

    /**
     * Actors a client's write may leave in a key's clock, when it adds some. A clock holds one entry per
     * (node, epoch) that ever coordinated a write of the key, plus what clients' contexts named: real keys stay
     * far below this; a context that names made-up actors cannot grow a key's clock past it.
     */
    static final int MAX_CLOCK_ACTORS = 256;

    static WriteLimits of(StorageConfig c) {
        return new WriteLimits(c.maxValueSize(), c.maxObjectSize(), c.siblingWarn(), c.maxSiblings());
    }

    static WriteLimits defaults() {
        return new WriteLimits(StorageConfig.DEFAULT_MAX_VALUE_SIZE, StorageConfig.DEFAULT_MAX_OBJECT_SIZE,
                StorageConfig.DEFAULT_SIBLING_WARN, StorageConfig.DEFAULT_MAX_SIBLINGS);
    }

    /** For a merge: what of the limits its result is over (to report, not to refuse), or null when none. */
    String overLimit(SiblingSet after, int encodedSize) {
        if (after.size() > maxSiblings) {
            return after.size() + " siblings (limit " + maxSiblings + ")";
        }
        if (encodedSize > maxObjectSize) {
            return encodedSize + " bytes (limit " + maxObjectSize + ")";
        }
        return null;
    }

    /**
     * Throws a {@link LimitExceededException} when {@code after} may not replace {@code before}.
     *
     * @param encodedSize the encoded size of {@code after}
     * @param storedKey   the key in stored form, named in the error message
     * @return whether this write takes the key over the warning threshold of siblings
     */
    boolean check(SiblingSet before, SiblingSet after, int encodedSize, byte[] storedKey) {
        if (after.size() > maxSiblings && after.size() > before.size()) {
            throw new LimitExceededException(ErrorCode.TOO_MANY_SIBLINGS,
                    "sibling count of " + StoreKeys.describeDataKey(storedKey), after.size(), maxSiblings);
        }
        for (Sibling s : after.siblings()) {
            if (s.valueLength() > maxValueSize && !before.contains(s.dot())) {
                throw new LimitExceededException(ErrorCode.TOO_LARGE,
                        "value size of " + StoreKeys.describeDataKey(storedKey), s.valueLength(), maxValueSize);
            }
        }
        if (encodedSize > maxObjectSize && encodedSize > CausalCodec.encodedSize(before)) {
            throw new LimitExceededException(ErrorCode.TOO_LARGE,
                    "stored size of " + StoreKeys.describeDataKey(storedKey), encodedSize, maxObjectSize);
        }
        int actors = after.context().size();
        if (actors > MAX_CLOCK_ACTORS && actors > before.context().size()) {
            throw new LimitExceededException(ErrorCode.TOO_LARGE,
                    "actors in the clock of " + StoreKeys.describeDataKey(storedKey), actors, MAX_CLOCK_ACTORS);
        }
        return after.size() > siblingWarn && before.size() <= siblingWarn;
    }
}
