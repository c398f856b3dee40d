package io.chorus.ring;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

/**
 * Maps keys to one of Q partitions: the top log2(Q) bits of the first 64 bits of the key's Murmur3 (x64, 128-bit)
 * hash, read as unsigned. Taking the top bits makes each partition one contiguous arc of the 64-bit hash ring, so
 * partition {@code i} covers hashes {@code [i * 2^64/Q, (i+1) * 2^64/Q)}. Immutable and thread-safe.
 */
public final class Partitioner {

    public static final int MIN_PARTITIONS = 1;
    public static final int MAX_PARTITIONS = 1 << 16;
    public static final int DEFAULT_PARTITIONS = 256;

    /** Stateless and thread-safe; the hash is part of the on-disk and on-wire contract, so it never changes. */
    private static final HashFunction MURMUR3 = Hashing.murmur3_128();

    private final int partitionCount;
    private final int shift;

    private Partitioner(int partitionCount) {
        if (!isValidPartitionCount(partitionCount)) {
            throw new IllegalArgumentException("partition count must be a power of two in [" + MIN_PARTITIONS
                    + ", " + MAX_PARTITIONS + "], got " + partitionCount);
        }
        this.partitionCount = partitionCount;
        this.shift = 64 - Integer.numberOfTrailingZeros(partitionCount);
    }

    public static Partitioner of(int partitionCount) {
        return new Partitioner(partitionCount);
    }

    public static boolean isValidPartitionCount(int q) {
        return q >= MIN_PARTITIONS && q <= MAX_PARTITIONS && Integer.bitCount(q) == 1;
    }

    public int partitionCount() {
        return partitionCount;
    }

    /** The first 64 bits (little-endian, as Guava's {@code asLong}) of the key's Murmur3 x64 128-bit hash. */
    public static long hash(byte[] key) {
        return MURMUR3.hashBytes(key).asLong();
    }

    public int partitionOf(byte[] key) {
        return partitionOfHash(hash(key));
    }

    /** The partition whose arc holds {@code hash}; monotone in the unsigned value of the hash. */
    public int partitionOfHash(long hash) {
        // Java masks shift distances to 6 bits, so Q = 1 (shift 64) would shift by 0; two shifts avoid the branch.
        return (int) ((hash >>> 1) >>> (shift - 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Partitioner p && p.partitionCount == partitionCount;
    }

    @Override
    public int hashCode() {
        return partitionCount;
    }

    @Override
    public String toString() {
        return "Partitioner[Q=" + partitionCount + "]";
    }
}
