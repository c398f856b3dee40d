package io.chorus.storage;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import org.lmdbjava.Dbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-modify-write of one key's sibling set: read what the transaction holds (so earlier writes of the same
 * batch are seen), apply the change, check the limits (a client's write), or only report a result over them (a
 * merge of replica states, which is always stored), then encode straight into LMDB's reserved space. Writer
 * thread only.
 */
final class SiblingUpdate extends WriteOp<SiblingSet> {

    private static final Logger LOG = LoggerFactory.getLogger(SiblingUpdate.class);

    private final Dbi<ByteBuffer> dbi;
    private final byte[] storedKey;
    private final UnaryOperator<SiblingSet> change;
    private final WriteLimits limits;
    /** Null for a client's write; for a merge, where merges over a limit are counted. */
    private final LongAdder mergesOverLimit;
    /** For a merge: what of the limits the attempt's result is over, or null. */
    private String overLimit;
    /** Null when the engine keeps no trees. */
    private final HashTree tree;
    private final byte[] key;
    /** The attempt's change to the tree: entry hashes before and after (0: absent), or no change. */
    private boolean changed;
    private boolean existed;
    private long oldHash;
    private long newHash;
    private boolean tombstoneOnly;

    /** A client's write, held to the limits. */
    SiblingUpdate(Dbi<ByteBuffer> dbi, byte[] storedKey, UnaryOperator<SiblingSet> change, WriteLimits limits,
            HashTree tree) {
        this(dbi, storedKey, change, limits, null, tree);
    }

    /** A merge of replica states: stored whatever its size, counted in {@code mergesOverLimit} when over. */
    SiblingUpdate(Dbi<ByteBuffer> dbi, byte[] storedKey, UnaryOperator<SiblingSet> change, WriteLimits limits,
            LongAdder mergesOverLimit, HashTree tree) {
        this.dbi = dbi;
        this.storedKey = storedKey;
        this.change = change;
        this.limits = limits;
        this.mergesOverLimit = mergesOverLimit;
        this.tree = tree;
        this.key = StoreKeys.userKey(storedKey);
    }

    @Override
    void onCommitted(SiblingSet value) {
        if (changed) {
            // After the commit, in commit order, before anyone learns of the write: the tree never lags a
            // write whose future completed.
            tree.apply(storedKey, oldHash, newHash, existed, true, tombstoneOnly);
        }
        if (overLimit != null) {
            mergesOverLimit.increment();
            LOG.warn("{}: a merge of replica states leaves {}; stored all the same so that replicas converge, "
                    + "its readers should resolve it", StoreKeys.describeDataKey(storedKey), overLimit);
        }
        super.onCommitted(value);
    }

    @Override
    SiblingSet apply(WriteContext ctx) {
        overLimit = null;
        changed = false;
        ByteBuffer stored = ctx.get(dbi, storedKey);
        SiblingSet before = stored == null ? SiblingSet.empty() : StoredSets.decode(stored, storedKey);
        existed = stored != null;
        oldHash = stored == null || tree == null ? 0 : KeyHash.entryHash(key, stored);
        SiblingSet after = change.apply(before);
        if (after == null) {
            throw new NullPointerException("the update function returned null for "
                    + StoreKeys.describeDataKey(storedKey));
        }
        if (after == before || after.equals(before)) {
            return before; // nothing new (a replica sync we already have): no write, no dirty pages
        }
        int size = CausalCodec.encodedSize(after);
        if (mergesOverLimit != null) {
            // Reported once committed: a batch retried after the map grew runs this again.
            overLimit = limits.overLimit(after, size);
        } else if (limits.check(before, after, size, storedKey)) {
            LOG.warn("{} now has {} siblings (warning at {}, limit {}): its readers should resolve them",
                    StoreKeys.describeDataKey(storedKey), after.size(), limits.siblingWarn(), limits.maxSiblings());
        }
        // Everything that can fail on its own is checked; from here on a failure poisons the transaction.
        ByteBuffer out = ctx.reserve(dbi, storedKey, size);
        CausalCodec.encode(after, out);
        if (tree != null) {
            newHash = KeyHash.entryHash(key, out.duplicate().flip());
            tombstoneOnly = after.isDeleted();
            changed = true;
        }
        return after;
    }
}
