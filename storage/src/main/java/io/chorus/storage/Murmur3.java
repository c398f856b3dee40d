package io.chorus.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The first 64 bits of MurmurHash3 x64 128 (the reference algorithm, as Guava's {@code murmur3_128(seed)} computes
 * it, {@code asLong()}), over a key's length, the key and a buffer, without allocating: the entry hash is taken
 * twice on every write, on the storage writer thread, and Guava's streaming hasher cost about 200 ns a time there.
 * {@code KeyHashTest} checks it against Guava. Stateless.
 */
final class Murmur3 {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Murmur3() {
    }

    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The input laid out once in a reused array: a tight loop over it beats reading two sources a word at a time. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1024]);

    /** Hashes {@code u32le(key.length) || key || tail} (tail from position to limit, not moved). */
    static long hash64(int seed, byte[] key, ByteBuffer tail) {
        int length = 4 + key.length + tail.remaining();
        byte[] in = SCRATCH.get();
        if (in.length < length) {
            in = new byte[Math.max(length, 2 * in.length)];
            if (length <= 1 << 20) {
                SCRATCH.set(in); // keep it, unless one huge set would pin megabytes to the thread
            }
        }
        in[0] = (byte) key.length; // little-endian, as Guava's putInt
        in[1] = (byte) (key.length >>> 8);
        in[2] = (byte) (key.length >>> 16);
        in[3] = (byte) (key.length >>> 24);
        System.arraycopy(key, 0, in, 4, key.length);
        tail.duplicate().get(in, 4 + key.length, tail.remaining());
        long h1 = seed & 0xFFFFFFFFL;
        long h2 = seed & 0xFFFFFFFFL;
        int blocks = length / 16;
        for (int i = 0; i < blocks; i++) {
            long k1 = (long) LONG_LE.get(in, i * 16);
            long k2 = (long) LONG_LE.get(in, i * 16 + 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int rest = length - blocks * 16;
        if (rest > 0) {
            long k1 = 0;
            long k2 = 0;
            for (int i = 0; i < rest; i++) {
                long b = in[blocks * 16 + i] & 0xFFL;
                if (i < 8) {
                    k1 |= b << (8 * i);
                } else {
                    k2 |= b << (8 * (i - 8));
                }
            }
            h1 ^= mixK1(k1);
            h2 ^= mixK2(k2);
        }
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        return h1;
    }

    private static long mixK1(long k1) {
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        k1 *= C2;
        return k1;
    }

    private static long mixK2(long k2) {
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        k2 *= C1;
        return k2;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
