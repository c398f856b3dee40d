package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;

/**
 * REPAIR response: what one anti-entropy run of the node did, twelve varints in this order, each {@code 0..2^63-1}.
 * Immutable.
 *
 * @param partitions        partitions the run covered
 * @param exchanges         exchanges with another replica of a partition that were started
 * @param inSync            exchanges that found both replicas already in sync
 * @param repaired          exchanges that found differences and repaired them
 * @param deferred          exchanges put off (the other replica was not ready, or the node's background budget was
 *                          spent); a later run does them
 * @param failed            exchanges that failed (the other replica unreachable, or an error)
 * @param segmentsDiffering leaf segments of the hash trees found to differ
 * @param keysFetched       keys whose sibling sets were fetched from other replicas
 * @param keysPushed        keys whose sibling sets were pushed to other replicas
 * @param bytesSent         bytes of anti-entropy messages the node sent
 * @param bytesReceived     bytes of anti-entropy messages the node received
 * @param tookMillis        how long the run took
 */
public record RepairResponse(long partitions, long exchanges, long inSync, long repaired, long deferred, long failed,
        long segmentsDiffering, long keysFetched, long keysPushed, long bytesSent, long bytesReceived,
        long tookMillis) {

    /** The fields in wire order, for messages. */
    private static final String[] FIELDS = {"partitions", "exchanges", "inSync", "repaired", "deferred", "failed",
            "segmentsDiffering", "keysFetched", "keysPushed", "bytesSent", "bytesReceived", "tookMillis"};

    public RepairResponse {
        long[] all = {partitions, exchanges, inSync, repaired, deferred, failed, segmentsDiffering, keysFetched,
                keysPushed, bytesSent, bytesReceived, tookMillis};
        for (int i = 0; i < all.length; i++) {
            Wire.checkNonNegative(FIELDS[i], all[i]);
        }
    }

    public byte[] encode() {
        long[] all = values();
        int size = 0;
        for (long v : all) {
            size += Varint.size(v);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (long v : all) {
            Varint.write(out, v);
        }
        return Wire.finish(out);
    }

    public static RepairResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        long[] v = new long[FIELDS.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Wire.readNonNegative(r, FIELDS[i]);
        }
        r.expectEnd("REPAIR response");
        return new RepairResponse(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
    }

    private long[] values() {
        return new long[] {partitions, exchanges, inSync, repaired, deferred, failed, segmentsDiffering, keysFetched,
                keysPushed, bytesSent, bytesReceived, tookMillis};
    }
}
