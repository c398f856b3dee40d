package io.chorus.coordinator;

/**
 * The limits of the anti-entropy messages (protocol.md, "Anti-entropy messages"), checked when the messages are
 * built and when they are decoded. Constants only.
 */
final class AeLimits {

    /** The finest resolution of a partition's hash tree: 2^24 leaf segments. */
    static final int MAX_BITS = 24;
    /** AE_HASHES descends this many levels at once: each parent has up to 2^4 = 16 children in a reply. */
    static final int FANOUT_BITS = 4;
    /** Tree nodes one AE_HASHES may name; its reply then holds at most 256 * 16 hashes (32 KiB). */
    static final int MAX_PARENTS = 256;
    /** Leaf segments one AE_KEYS may name. */
    static final int MAX_SEGMENTS = 256;
    /** Keys (or entries) one AE_FETCH, AE_PUSH, AE_STABLE or AE_PURGE may carry. */
    static final int MAX_KEYS = 1024;
    /** The largest reply budget ({@code maxBytes}) an AE_KEYS may ask for. */
    static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;

    private AeLimits() {
    }
}
