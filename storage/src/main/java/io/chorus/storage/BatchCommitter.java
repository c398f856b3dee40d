package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a batch of writes in one LMDB write transaction and commits it: one fsync for the whole group.
 *
 * <p>Failure handling, so that one op's trouble never costs the others:
 * <ul>
 *   <li>an op that fails before writing (limits, corrupt stored bytes, its function throws) is rejected alone;
 *   <li>an op that fails after writing poisons the transaction: abort, reject that op, retry the rest;
 *   <li>MDB_MAP_FULL: grow the map and retry the batch; at the maximum, nudge (see {@link #nudgedSinceCommit})
 *       and retry once, then retry the ops one per transaction so the ones that still fit get in, and the ones
 *       that do not fail with {@link StorageFullException};
 *   <li>disk full (ENOSPC/EDQUOT, or EIO from a short write on a nearly full disk, at commit when the pages are
 *       written): likewise, without growing;
 *   <li>too many dirty pages for one transaction: split the batch in halves;
 *   <li>anything else failing the commit fails every op of the attempt (nothing of it was written).
 * </ul>
 * Retries keep the ops in submission order, so writes to one key apply in order. An aborted or failed commit
 * leaves the database exactly as the last successful commit, so earlier writes are never at risk.
 *
 * <p>Only outcomes are recorded here; the caller completes the futures after this returns, outside any
 * transaction. Writer thread only.
 */
final class BatchCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);

    private final Env<ByteBuffer> env;
    private final MapGrowth growth;
    private final WriteContext ctx = new WriteContext();
    private final WriteOp<Void> nudge;
    private final LongSupplier usableSpace;
    private final Runnable afterCommit;
    private volatile long batchesCommitted;
    /**
     * LMDB reuses pages freed by transaction N only from transaction N+2 on (N+1 may still be needed to recover
     * the snapshot before N). So right after a delete frees space in a full map, the next write still finds it
     * full. When that happens, one tiny commit (a "nudge") makes the freed pages reusable; at most once between
     * two real commits, so a truly full map costs one extra attempt, not a loop.
     */
    private boolean nudgedSinceCommit;

    /**
     * @param meta        the metadata database, where the nudge writes a counter
     * @param usableSpace free bytes on the data directory's file system, to recognise a full disk
     * @param afterCommit runs after each commit, before any future completes (readers learn of the commit)
     */
    BatchCommitter(Env<ByteBuffer> env, MapGrowth growth, Dbi<ByteBuffer> meta, LongSupplier usableSpace,
            Runnable afterCommit) {
        this.env = env;
        this.growth = growth;
        this.nudge = new MetaStore.Nudge(meta);
        this.usableSpace = usableSpace;
        this.afterCommit = afterCommit;
    }

    /** Outcome of one transaction attempt; the two constants are compared by identity. */
    private record Attempt(LmdbErrors.Kind kind, RuntimeException error, WriteOp<?> culprit) {
        static final Attempt COMMITTED = new Attempt(null, null, null);
        static final Attempt NOTHING_WRITTEN = new Attempt(null, null, null);
    }

    void commit(List<WriteOp<?>> batch) {
        growth.growToWanted();
        Deque<List<WriteOp<?>>> work = new ArrayDeque<>();
        work.push(batch);
        while (!work.isEmpty()) {
            List<WriteOp<?>> ops = work.pop();
            Attempt a = attempt(ops);
            if (a == Attempt.COMMITTED) {
                afterCommit.run();
                batchesCommitted++;
                nudgedSinceCommit = false;
                continue;
            }
            if (a == Attempt.NOTHING_WRITTEN) {
                continue;
            }
            if (a.culprit != null) {
                // The op's own write failed: it alone fails, the others go again in a clean transaction.
                a.culprit.fail(a.error instanceof LmdbException l ? LmdbErrors.toChorus(l, "write failed") : a.error);
                List<WriteOp<?>> rest = new ArrayList<>(ops);
                rest.remove(a.culprit);
                if (!rest.isEmpty()) {
                    work.push(rest);
                }
                continue;
            }
            switch (a.kind) {
                case MAP_FULL -> {
                    if (growth.grow()) {
                        work.push(ops);
                    } else {
                        retryWhenFull(ops, a, work);
                    }
                }
                case DISK_FULL -> retryWhenFull(ops, a, work);
                case TXN_TOO_BIG -> {
                    if (ops.size() > 1) {
                        int half = ops.size() / 2;
                        work.push(new ArrayList<>(ops.subList(half, ops.size())));
                        work.push(new ArrayList<>(ops.subList(0, half)));
                    } else {
                        failAll(ops, LmdbErrors.toChorus((LmdbException) a.error, a.kind, "write"));
                    }
                }
                default -> {
                    LOG.error("LMDB write transaction of {} writes failed", ops.size(), a.error);
                    failAll(ops, LmdbErrors.toChorus((LmdbException) a.error, a.kind, "commit failed"));
                }
            }
        }
    }

    long batchesCommitted() {
        return batchesCommitted;
    }

    /**
     * Out of space for good: first make pages freed by the last commit reusable, then retry; failing that, try
     * the ops one per transaction, so the small ones that fit still get in.
     */
    private void retryWhenFull(List<WriteOp<?>> ops, Attempt cause, Deque<List<WriteOp<?>>> work) {
        if (!nudgedSinceCommit) {
            // Once per episode, so a full store does not log every rejected write.
            LOG.warn("storage is full ({}, map {} bytes): writes that do not fit fail until space is freed",
                    cause.error.getMessage(), growth.mapSize());
            nudgedSinceCommit = true;
            if (attempt(List.of(nudge)) == Attempt.COMMITTED) {
                afterCommit.run();
                work.push(ops);
                return;
            }
        }
        oneByOneOrFail(ops, cause, work);
    }

    private static void oneByOneOrFail(List<WriteOp<?>> ops, Attempt cause, Deque<List<WriteOp<?>>> work) {
        if (ops.size() == 1) {
            failAll(ops, LmdbErrors.toChorus((LmdbException) cause.error, cause.kind, "write"));
            return;
        }
        for (int i = ops.size() - 1; i >= 0; i--) {
            work.push(List.of(ops.get(i)));
        }
    }

    private static void failAll(List<WriteOp<?>> ops, ChorusException e) {
        for (WriteOp<?> op : ops) {
            op.fail(e);
        }
    }

    private Attempt attempt(List<WriteOp<?>> ops) {
        Txn<ByteBuffer> txn;
        try {
            txn = env.txnWrite();
        } catch (LmdbException e) {
            return new Attempt(LmdbErrors.classify(e, usableSpace), e, null);
        }
        try (txn) {
            ctx.begin(txn);
            boolean wroteAny = false;
            for (WriteOp<?> op : ops) {
                ctx.beforeOp();
                try {
                    op.attempt(ctx);
                } catch (LmdbException e) {
                    LmdbErrors.Kind kind = LmdbErrors.classify(e, usableSpace);
                    // Space and size trouble belongs to the batch; any other LMDB failure to the op that hit it.
                    return kind == LmdbErrors.Kind.OTHER ? new Attempt(kind, e, op) : new Attempt(kind, e, null);
                } catch (RuntimeException e) {
                    if (ctx.wrote()) {
                        return new Attempt(LmdbErrors.Kind.OTHER, e, op);
                    }
                    op.reject(e);
                }
                wroteAny |= ctx.wrote();
            }
            if (!wroteAny) {
                // Every op was a no-op or rejected (a replica sync we already had): skip the commit and its fsync.
                return Attempt.NOTHING_WRITTEN;
            }
            txn.commit();
            return Attempt.COMMITTED;
        } catch (LmdbException e) {
            // From commit (or closing a cursor): the transaction is gone and nothing of it was written.
            return new Attempt(LmdbErrors.classify(e, usableSpace), e, null);
        } finally {
            ctx.begin(null);
        }
    }
}
