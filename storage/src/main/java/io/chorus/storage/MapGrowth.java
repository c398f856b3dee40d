package io.chorus.storage;

import java.nio.ByteBuffer;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enlarges LMDB's memory map when a write finds it full: doubles it, bounded by the configured maximum. The map
 * size is only address space (the file grows with the data), so doubling costs nothing but makes growth rare.
 * Remapping invalidates every pointer into the map, so it runs with all readers held out by the {@link ReadGate},
 * and with no write transaction open (the writer aborted it). Writer thread only; {@link #mapSize} may be read by
 * any thread.
 */
final class MapGrowth {

    private static final Logger LOG = LoggerFactory.getLogger(MapGrowth.class);
    /** Map sizes stay multiples of this, a multiple of every page size LMDB runs on. */
    static final long ALIGN = 1 << 16;

    private final Env<ByteBuffer> env;
    private final ReadGate gate;
    private final long maxSize;
    private volatile long mapSize;
    private volatile long growths;
    /** Copies (backups) reading the map now: while any does, the map is not grown (see {@link #hold}). */
    private final java.util.concurrent.atomic.AtomicInteger holds = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long wanted;
    private volatile boolean heldLogged;

    MapGrowth(Env<ByteBuffer> env, ReadGate gate, long currentSize, long maxSize) {
        this.env = env;
        this.gate = gate;
        this.mapSize = currentSize;
        // Data already bigger than the configured maximum (the setting was lowered) must stay usable.
        this.maxSize = Math.max(maxSize, currentSize);
    }

    /** The size after the next growth, or {@code current} when it cannot grow. Pure. */
    static long nextSize(long current, long max) {
        long doubled = current > max / 2 ? max : current * 2;
        long aligned = doubled / ALIGN * ALIGN;
        return Math.max(aligned, current);
    }

    /**
     * Until {@link #release}, no growth: a long reader (a backup's copy) holds the gate, and a growth would stall the
     * writer and every later reader behind it until the copy ends. Any thread.
     */
    void hold() {
        holds.incrementAndGet();
    }

    void release() {
        if (holds.decrementAndGet() == 0) {
            heldLogged = false;
        }
    }

    /** Asks for a map of at least {@code bytes} (capped at the maximum), grown at the writer's next turn. */
    void wantAtLeast(long bytes) {
        wanted = Math.max(wanted, bytes);
    }

    /** Writer thread, no transaction open: grows the map to what {@link #wantAtLeast} asked, in one step. */
    void growToWanted() {
        long want = Math.min(wanted, maxSize);
        long current = mapSize;
        if (want <= current || holds.get() > 0) {
            return;
        }
        long next = Math.min(maxSize, (want + ALIGN - 1) / ALIGN * ALIGN);
        resize(current, next);
    }

    /** Grows the map; false when it is already at the maximum (or the OS refused, or a copy holds it). */
    boolean grow() {
        if (holds.get() > 0) {
            if (!heldLogged) {
                heldLogged = true;
                LOG.warn("the LMDB map is full while a backup copies the store: writes that need more room fail"
                        + " until the copy ends");
            }
            return false;
        }
        long current = mapSize;
        long next = nextSize(current, maxSize);
        if (next <= current) {
            return false;
        }
        return resize(current, next);
    }

    private boolean resize(long current, long next) {
        try {
            gate.runExclusive(() -> env.setMapSize(next));
        } catch (LmdbException e) {
            LOG.error("could not grow the LMDB map from {} to {} bytes", current, next, e);
            return false;
        }
        mapSize = next;
        growths++;
        LOG.info("grew the LMDB map from {} to {} bytes (max {})", current, next, maxSize);
        return true;
    }

    long mapSize() {
        return mapSize;
    }

    long growths() {
        return growths;
    }
}
