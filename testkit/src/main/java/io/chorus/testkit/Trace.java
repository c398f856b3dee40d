package io.chorus.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;

/**
 * The event log of a simulation: one line per network event (send, drop, duplicate, deliver, reply, timeout,
 * crash, partition...), each prefixed with its virtual time in milliseconds. Tests may add lines of their own with
 * {@link #record(String)}. Two runs with the same seed and the same workload produce the same lines, byte for
 * byte; {@link #digest()} checks that cheaply.
 *
 * <p>The digest covers every line ever recorded; only the most recent lines are kept as text (a bounded tail),
 * so a long run cannot exhaust the heap while its tail still explains a failure.
 *
 * <p>Thread-safety: confined to the simulation thread, like the rest of the simulation.
 */
public final class Trace {

    /** How many recent lines a trace keeps as text by default. */
    public static final int DEFAULT_RETAINED_LINES = 100_000;

    private final VirtualClock clock;
    private final int retainedLines;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final MessageDigest sha256;
    private long size;

    Trace(VirtualClock clock, int retainedLines) {
        if (retainedLines < 0) {
            throw new IllegalArgumentException("retained lines must not be negative: " + retainedLines);
        }
        this.clock = clock;
        this.retainedLines = retainedLines;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** Appends {@code event} as a line stamped with the current virtual time. */
    public void record(String event) {
        String line = TimeFormat.millis(clock.nanoTime()) + " " + event;
        sha256.update(line.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) '\n');
        size++;
        if (retainedLines == 0) {
            return;
        }
        if (tail.size() == retainedLines) {
            tail.removeFirst();
        }
        tail.addLast(line);
    }

    /** The retained lines, oldest first: all of them unless more than the retention bound were recorded. */
    public List<String> lines() {
        return List.copyOf(tail);
    }

    /** How many lines were recorded in total, retained or not. */
    public long size() {
        return size;
    }

    /** SHA-256 (hex) of every line recorded so far, each followed by a newline. */
    public String digest() {
        try {
            // Clone so the running digest can keep going after this snapshot.
            return HexFormat.of().formatHex(((MessageDigest) sha256.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the platform's SHA-256 cannot be cloned", e);
        }
    }

    /** The last {@code n} retained lines joined by newlines, for failure messages. */
    public String tail(int n) {
        List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    @Override
    public String toString() {
        return "Trace[" + size + " lines, " + digest().substring(0, 12) + "]";
    }
}
