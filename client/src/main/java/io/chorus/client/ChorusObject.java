package io.chorus.client;

import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.util.List;

/**
 * What a read returns: the key's live values (more than one when writes were concurrent: a conflict Chorus shows
 * rather than hides) and the causal context to send back with the next write. To resolve a conflict, write the
 * merged value with this object's {@link #context()}; the write then replaces exactly the siblings read.
 * Immutable.
 */
public final class ChorusObject {

    private final byte[] key;
    private final SiblingSet state;

    ChorusObject(byte[] key, SiblingSet state) {
        this.key = key.clone();
        this.state = state;
    }

    public byte[] key() {
        return key.clone();
    }

    /** Whether any live value exists: false for a key never written or deleted (all tombstones). */
    public boolean found() {
        return !state.isDeleted();
    }

    /** The live values, one per sibling, ordered by the dot of their write. */
    public List<byte[]> values() {
        return state.liveSiblings().stream().map(Sibling::value).toList();
    }

    /** The single value; throws when the key is not found or has concurrent siblings to resolve. */
    public byte[] value() {
        List<Sibling> live = state.liveSiblings();
        if (live.size() != 1) {
            throw new IllegalStateException(live.isEmpty() ? "key not found"
                    : live.size() + " concurrent siblings: resolve them with values() and context()");
        }
        return live.get(0).value();
    }

    /** More than one live value: concurrent writes that a reader should merge. */
    public boolean hasConflict() {
        return state.liveSiblings().size() > 1;
    }

    /** Every sibling with its dot and timestamp, tombstones included. */
    public List<Sibling> siblings() {
        return state.siblings();
    }

    /** The causal context: pass it to the next put or delete of this key. */
    public VersionVector context() {
        return state.context();
    }

    /** The full state as the coordinator returned it. */
    public SiblingSet state() {
        return state;
    }

    @Override
    public String toString() {
        return "ChorusObject" + state;
    }
}
