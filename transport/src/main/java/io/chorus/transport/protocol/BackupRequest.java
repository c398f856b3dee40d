package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import java.nio.ByteBuffer;

/**
 * BACKUP request: {@code directory:string}, a directory on the receiving node's host (absolute, 1 to
 * {@value #MAX_DIRECTORY_BYTES} UTF-8 bytes, no control character) under which the node writes its copy, in a
 * subdirectory named after itself. Immutable.
 */
public record BackupRequest(String directory) {

    public static final int MAX_DIRECTORY_BYTES = 4096;

    public BackupRequest {
        checkDirectory("directory", directory);
    }

    public byte[] encode() {
        byte[] utf8 = Wire.utf8(directory);
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(utf8.length));
        Wire.putBytes(out, utf8);
        return Wire.finish(out);
    }

    public static BackupRequest decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        String directory = r.utf8("directory", MAX_DIRECTORY_BYTES);
        r.expectEnd("BACKUP request");
        return Wire.construct("BACKUP request", () -> new BackupRequest(directory));
    }

    /**
     * Text a path can be: not empty, no control character (a NUL would cut it short in the OS), absolute (a relative
     * one would mean the node's working directory, which the operator rarely knows).
     */
    static void checkDirectory(String what, String directory) {
        Wire.checkText(what, directory, MAX_DIRECTORY_BYTES);
        if (directory.isEmpty() || directory.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " is empty or contains a control character");
        }
        if (!directory.startsWith("/") && !(directory.length() > 2 && directory.charAt(1) == ':')) {
            throw new IllegalArgumentException(what + " is not an absolute path: '" + directory + "'");
        }
    }
}
