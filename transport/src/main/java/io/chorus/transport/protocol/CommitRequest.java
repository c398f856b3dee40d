package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import java.nio.ByteBuffer;

/**
 * COMMIT request: {@code token:fixed64}, the token of the plan to commit as a PLAN response named it, or
 * {@link #CURRENT_PLAN} for whatever plan the claimant holds when it acts. Any 64-bit value. Immutable.
 */
public record CommitRequest(long token) {

    /** The token that asks for the claimant's plan of the moment instead of a named one. */
    public static final long CURRENT_PLAN = 0;

    public byte[] encode() {
        return ByteBuffer.allocate(8).putLong(token).array();
    }

    public static CommitRequest decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        long token = r.fixed64("token");
        r.expectEnd("COMMIT request");
        return new CommitRequest(token);
    }
}
