package io.chorus.storage;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;

/**
 * The checks a write's result must pass before it is stored, decided apart from the writing. A write is refused
 * only for what it adds: a new sibling value over {@code maxValueSize}, or a result with more siblings (or more
 * bytes) than allowed <em>and</em> more than was stored, so a write that reduces an over-limit key (a reconciling
 * client, a replica merge that drops siblings) is never blocked. Immutable.
 */
record WriteLimits(int maxValueSize, int maxObjectSize, int siblingWarn, int maxSiblings) {

    static WriteLimits of(StorageConfig c) {
        return new WriteLimits(c.maxValueSize(), c.maxObjectSize(), c.siblingWarn(), c.maxSiblings());
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
        return after.size() > siblingWarn && before.size() <= siblingWarn;
    }
}
