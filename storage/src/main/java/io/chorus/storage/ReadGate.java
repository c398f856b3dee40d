package io.chorus.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps readers out of LMDB's memory map while the writer replaces it, and lets the writer release snapshots that
 * idle readers keep open.
 *
 * <p>Why: {@code mdb_env_set_mapsize} unmaps and remaps the file, so a read running at that moment would touch
 * unmapped memory and crash the JVM, and LMDB wants no transaction open in the process meanwhile; closing the
 * environment has the same needs. LMDB leaves all of this to the caller.
 *
 * <p>How: a biased reader-writer gate. Each reading context is a {@link Slot} with its own state word; a reader
 * enters with one CAS on its own slot and one volatile read of the gate state (Dekker style: the reader publishes
 * ACTIVE then checks the gate, the exclusive side publishes EXCLUSIVE then checks every slot, so at least one sees
 * the other). Readers never contend with each other, which a shared lock word would make them do on every read.
 * A slot between reads may be PARKED (its transaction still open, for reuse while no commit happened); the
 * exclusive side and the writer after each commit may take a parked slot (PARKED to RECLAIMING by CAS) and reset
 * its transaction, so an idle thread never pins an old snapshot.
 *
 * <p>Thread-safe. {@link #runExclusive}, {@link #reclaimParked} and {@link #close} are called by one thread at a
 * time (the writer).
 */
final class ReadGate {

    private static final int OPEN = 0;
    private static final int EXCLUSIVE = 1;
    private static final int CLOSED = 2;

    /** Cache-line padding before a slot's state (the JVM lays out superclass fields first). */
    abstract static class SlotPadBefore {
        long p00;
        long p01;
        long p02;
        long p03;
        long p04;
        long p05;
        long p06;
        long p07;
    }

    /**
     * One reading context's presence; its transaction is touched only by whoever moved the slot out of
     * IDLE/PARKED. Padded on both sides: every read writes the state twice, and two readers' slots placed side
     * by side by the garbage collector would otherwise bounce one cache line between their cores.
     */
    abstract static class Slot extends SlotPadBefore {
        static final int IDLE = 0;
        static final int PARKED = 1;
        static final int ACTIVE = 2;
        static final int RECLAIMING = 3;

        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Slot.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile int state = IDLE;
        long p10;
        long p11;
        long p12;
        long p13;
        long p14;
        long p15;
        long p16;
        long p17;

        /** Ends the open snapshot of a PARKED slot (the caller owns the slot while it runs). */
        abstract void releaseSnapshot();

        final int state() {
            return state;
        }

        final boolean cas(int from, int to) {
            return STATE.compareAndSet(this, from, to);
        }

        final void set(int s) {
            state = s;
        }

        /** Leaving needs no fence: the exclusive side only waits until it sees the slot is no longer ACTIVE. */
        final void release(int s) {
            STATE.setRelease(this, s);
        }

        /** Resets the snapshot of a parked slot; false if the slot was not parked. */
        final boolean reclaimIfParked() {
            if (!cas(PARKED, RECLAIMING)) {
                return false;
            }
            try {
                releaseSnapshot();
            } finally {
                state = IDLE;
            }
            return true;
        }
    }

    private final Set<Slot> slots = ConcurrentHashMap.newKeySet();
    private final Object monitor = new Object();
    private volatile int state = OPEN;

    void register(Slot slot) {
        slots.add(slot);
    }

    void deregister(Slot slot) {
        slots.remove(slot);
    }

    /**
     * Makes {@code slot} ACTIVE inside the map, waiting out an exclusive phase. Pair with {@link #exit}.
     *
     * @return the slot's state before: IDLE, or PARKED when its transaction is still open
     * @throws io.chorus.core.error.ChorusException UNAVAILABLE once closed
     */
    int enter(Slot slot) {
        while (true) {
            int prev = take(slot);
            int g = state;
            if (g == OPEN) {
                return prev;
            }
            backOut(slot, prev);
            if (g == CLOSED) {
                throw LmdbErrors.closed();
            }
            awaitNotExclusive();
        }
    }

    /** As {@link #enter} but never waits: returns -1 when the gate is not open. */
    int tryEnter(Slot slot) {
        int prev = take(slot);
        if (state == OPEN) {
            return prev;
        }
        backOut(slot, prev);
        return -1;
    }

    /** Leaves the map; {@code parked} keeps the slot's transaction open for reuse. */
    void exit(Slot slot, boolean parked) {
        slot.release(parked ? Slot.PARKED : Slot.IDLE);
    }

    /** After a commit: every parked snapshot is now stale, so end them rather than let idle threads pin them. */
    void reclaimParked() {
        for (Slot slot : slots) {
            slot.reclaimIfParked();
        }
    }

    /** Runs {@code action} while no reader is inside the map and no snapshot is open. */
    void runExclusive(Runnable action) {
        state = EXCLUSIVE;
        try {
            awaitReadersOut();
            action.run();
        } finally {
            synchronized (monitor) {
                state = OPEN;
                monitor.notifyAll();
            }
        }
    }

    /** Waits for running readers, runs {@code teardown}, and turns every later reader away. */
    void close(Runnable teardown) {
        state = EXCLUSIVE;
        try {
            awaitReadersOut();
            teardown.run();
        } finally {
            synchronized (monitor) {
                state = CLOSED;
                monitor.notifyAll();
            }
        }
    }

    boolean isClosed() {
        return state == CLOSED;
    }

    private static int take(Slot slot) {
        while (true) {
            int prev = slot.state();
            // RECLAIMING: the writer is resetting our parked transaction; it takes a moment.
            if (prev != Slot.RECLAIMING && prev != Slot.ACTIVE && slot.cas(prev, Slot.ACTIVE)) {
                return prev;
            }
            Thread.onSpinWait();
        }
    }

    private static void backOut(Slot slot, int prev) {
        if (prev == Slot.PARKED) {
            slot.releaseSnapshot(); // leave nothing open for the exclusive side
        }
        slot.set(Slot.IDLE);
    }

    private void awaitNotExclusive() {
        boolean interrupted = false;
        synchronized (monitor) {
            while (state == EXCLUSIVE) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    // The exclusive phase is short; finish waiting and hand the interrupt back to the caller.
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReadersOut() {
        for (Slot slot : slots) {
            int spins = 0;
            while (true) {
                int s = slot.state();
                if (s == Slot.IDLE || (s == Slot.PARKED && slot.reclaimIfParked())) {
                    break;
                }
                // ACTIVE: reads are short (one get, or one scan chunk): spin briefly, then back off to parking.
                if (++spins < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
                }
            }
        }
    }
}
