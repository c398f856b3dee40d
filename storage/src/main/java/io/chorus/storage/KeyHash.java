package io.chorus.storage;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;

/**
 * The two hashes anti-entropy is built on, the same in every engine and on every node:
 * <ul>
 *   <li>a key's <b>segment hash</b>, 32 bits of Murmur3 under a seed of its own (the partition already fixes the
 *       top bits of the ring hash, so those would not spread keys within a partition). Stored keys are prefixed
 *       with it, so the keys of any tree segment, at any resolution, are one contiguous range of the store;
 *   <li>an <b>entry hash</b>, 64 bits of Murmur3 over the key and the canonical causal encoding of its sibling
 *       set. Equal causal states have equal bytes ({@code CausalCodec} is canonical), so two replicas holding the
 *       same state contribute the same hash whatever the order their writes arrived in; value bytes alone would
 *       not do (riak_kv#1189: a non-canonical object hash meant repairs never converged).
 * </ul>
 * Stateless and thread-safe.
 */
public final class KeyHash {

    /** The most bits a tree resolution may use: more would not fit in the 32-bit segment hash usefully. */
    public static final int MAX_BITS = 24;

    private static final HashFunction SEGMENT = Hashing.murmur3_32_fixed(0x5e6e7a11);
    /** The entry hash is Guava's {@code murmur3_128(ENTRY_SEED)} of its input, computed by {@link Murmur3}. */
    static final int ENTRY_SEED = 0x0ae0ae01;

    /** The encoding of the empty set: what a key never written reads as, whose entry hash is 0. */
    static final byte[] EMPTY_SET = io.chorus.core.causal.CausalCodec.encode(io.chorus.core.causal.SiblingSet.empty());

    private KeyHash() {
    }

    public static int segmentHash(byte[] key) {
        return SEGMENT.hashBytes(key).asInt();
    }

    /** The segment of a key at a resolution of {@code bits} (0..{@value #MAX_BITS}): the hash's top bits. */
    public static int segment(int segmentHash, int bits) {
        return bits == 0 ? 0 : segmentHash >>> (32 - bits);
    }

    public static int segmentOf(byte[] key, int bits) {
        return segment(segmentHash(key), bits);
    }

    /** The entry hash of {@code key} holding the encoded set in {@code encoded} (position to limit, not moved). */
    public static long entryHash(byte[] key, ByteBuffer encoded) {
        return Murmur3.hash64(ENTRY_SEED, key, encoded);
    }

    public static long entryHash(byte[] key, byte[] encoded) {
        return entryHash(key, ByteBuffer.wrap(encoded));
    }
}
