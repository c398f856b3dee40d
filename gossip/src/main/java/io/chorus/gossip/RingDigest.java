package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A ring state in brief, as a SYN carries it: its version and author, which order states as
 * {@link RingState#supersedes} does, and a fingerprint of its encoding (the first 8 bytes of its SHA-256). The
 * fingerprint is our addition to (version, author): {@code supersedes} breaks a tie of version and author by the
 * encoded bytes, so two different states with equal version and author can exist (an author that restarted and
 * made its version again), and a digest without the fingerprint would call them equal and leave the two nodes apart
 * for good. With it, such a pair is seen to differ and both states are exchanged. Immutable.
 */
public record RingDigest(long version, NodeId author, long fingerprint) {

    public RingDigest {
        Objects.requireNonNull(author, "author");
        if (version < 1) {
            throw new IllegalArgumentException("ring state version must be >= 1, got " + version);
        }
    }

    public static RingDigest of(RingState s) {
        return new RingDigest(s.version(), s.author(), fingerprint(RingStateCodec.encode(s)));
    }

    static long fingerprint(byte[] encoded) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(encoded);
            return ByteBuffer.wrap(hash).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * How this digest's state orders against {@code other}'s by version, then author (the lower name wins a race):
     * positive when this one's supersedes, negative when the other's does, 0 when only the bytes could tell.
     */
    public int compareOrder(RingDigest other) {
        if (version != other.version) {
            return Long.compare(version, other.version);
        }
        return other.author.compareTo(author);
    }
}
