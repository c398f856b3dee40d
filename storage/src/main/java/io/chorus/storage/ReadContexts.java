package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;

/**
 * Hands out read transactions. Each thread that reads gets a cached {@link ReadContext} (a per-engine
 * {@link ThreadLocal}, so engines in one JVM never share one); a thread reentering while its context is busy, or
 * any thread once the cache is full, gets a transient transaction that is aborted after use. Contexts of dead
 * threads are reclaimed when the cache fills, so thread churn cannot exhaust LMDB's reader slots.
 *
 * <p>Read-your-writes: the writer bumps the commit generation after each commit and before completing its
 * futures; a parked transaction is reused only while the generation is the one it began at.
 *
 * <p>Callers pair every {@link #acquire} with a {@link #release} in a finally block, so no transaction outlives
 * its read. Thread-safe.
 */
final class ReadContexts {

    private final Env<ByteBuffer> env;
    private final ReadGate gate;
    private final int maxCached;
    private final ThreadLocal<ReadContext> local = new ThreadLocal<>();
    private final List<ReadContext> cached = new ArrayList<>();
    private volatile long generation;

    /** @param maxCached cached contexts at most; keep it below LMDB's reader slots to leave room for transients */
    ReadContexts(Env<ByteBuffer> env, ReadGate gate, int maxCached) {
        this.env = env;
        this.gate = gate;
        this.maxCached = maxCached;
    }

    /** A context inside the gate with a current read transaction; pass it to {@link #release} in a finally block. */
    ReadContext acquire() {
        ReadContext c = local.get();
        if (c == null) {
            c = newCachedContext();
        }
        if (c == null || c.busy) {
            c = new ReadContext(Thread.currentThread(), false);
            gate.register(c);
        }
        int prev;
        try {
            prev = gate.enter(c);
        } catch (RuntimeException e) {
            if (!c.cached) {
                gate.deregister(c);
            }
            throw e;
        }
        try {
            c.begin(env, prev == ReadGate.Slot.PARKED, generation);
        } catch (RuntimeException e) {
            leave(c, false);
            throw e instanceof LmdbException l ? LmdbErrors.toChorus(l, "beginning a read transaction") : e;
        }
        c.busy = true;
        return c;
    }

    /**
     * Ends a read: a cached context parks its transaction for the next read (unless an LMDB call failed on it),
     * a transient one aborts it.
     */
    /**
     * Runs {@code body} in this thread's read context, always released after it; an LMDB failure marks the
     * context failed (its transaction is not reused) and becomes a {@link ChorusException} about {@code what}.
     */
    <T> T read(Function<ReadContext, T> body, Supplier<String> what) {
        ReadContext r = acquire();
        try {
            return body.apply(r);
        } catch (LmdbException e) {
            r.failed = true;
            throw LmdbErrors.toChorus(e, what.get());
        } finally {
            release(r);
        }
    }

    void release(ReadContext c) {
        c.busy = false;
        boolean clean = !c.failed;
        c.failed = false;
        leave(c, clean);
    }

    /** Writer thread, after a commit and before completing its futures. */
    void committed() {
        generation++;
        gate.reclaimParked();
    }

    /** Aborts every cached transaction; only while the gate is exclusive (no reader inside), before env close. */
    synchronized void disposeAll() {
        for (ReadContext c : cached) {
            disposeQuietly(c, c.state() == ReadGate.Slot.PARKED);
        }
        cached.clear();
    }

    private void leave(ReadContext c, boolean clean) {
        boolean park = false;
        try {
            if (!c.cached) {
                c.endTransient();
            } else if (clean) {
                park = true;
            } else {
                c.discardTxn(); // after a failure, do not keep a transaction we know nothing about
            }
        } finally {
            gate.exit(c, park);
            if (!c.cached) {
                gate.deregister(c);
            }
        }
    }

    private synchronized ReadContext newCachedContext() {
        if (gate.isClosed()) {
            throw LmdbErrors.closed();
        }
        if (cached.size() >= maxCached) {
            reapDeadOwners();
        }
        if (cached.size() >= maxCached) {
            return null;
        }
        ReadContext c = new ReadContext(Thread.currentThread(), true);
        gate.register(c);
        cached.add(c);
        local.set(c);
        return c;
    }

    /** Frees the contexts of threads that died. Never waits for the gate: close() needs this object's lock. */
    private void reapDeadOwners() {
        List<ReadContext> dead = new ArrayList<>();
        for (ReadContext c : cached) {
            if (!c.owner.isAlive()) {
                dead.add(c);
            }
        }
        for (ReadContext c : dead) {
            int prev = gate.tryEnter(c);
            if (prev < 0) {
                return; // growing or closing: try another time
            }
            try {
                disposeQuietly(c, prev == ReadGate.Slot.PARKED);
            } finally {
                gate.exit(c, false);
                gate.deregister(c);
                cached.remove(c);
            }
        }
    }

    private static void disposeQuietly(ReadContext c, boolean wasParked) {
        try {
            c.dispose(wasParked);
        } catch (LmdbException | ChorusException e) {
            // Best effort: the environment's close releases whatever is left of it.
        }
    }
}
