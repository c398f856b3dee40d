package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;

/**
 * BACKUP response: {@code directory:string  bytes:varint  tookMillis:varint}: where the node wrote its copy (the
 * request's directory and the node's name), the bytes written, and how long it took. Immutable.
 */
public record BackupResponse(String directory, long bytes, long tookMillis) {

    public BackupResponse {
        BackupRequest.checkDirectory("directory", directory);
        Wire.checkNonNegative("bytes", bytes);
        Wire.checkNonNegative("tookMillis", tookMillis);
    }

    public byte[] encode() {
        byte[] utf8 = Wire.utf8(directory);
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(utf8.length) + Varint.size(bytes)
                + Varint.size(tookMillis));
        Wire.putBytes(out, utf8);
        Varint.write(out, bytes);
        Varint.write(out, tookMillis);
        return Wire.finish(out);
    }

    public static BackupResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        String directory = r.utf8("directory", BackupRequest.MAX_DIRECTORY_BYTES);
        long bytes = Wire.readNonNegative(r, "bytes");
        long took = Wire.readNonNegative(r, "tookMillis");
        r.expectEnd("BACKUP response");
        return Wire.construct("BACKUP response", () -> new BackupResponse(directory, bytes, took));
    }
}
