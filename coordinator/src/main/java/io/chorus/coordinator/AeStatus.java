package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;

/**
 * The first field of most anti-entropy replies ({@code status:u8}). A reply whose status is not {@link #OK} carries
 * nothing else: its other fields are zero or empty. Unknown values do not decode. Immutable.
 */
enum AeStatus {
    /** Answered. */
    OK(0),
    /** The receiver cannot answer yet (its tree of the partition is still being built); ask again later. */
    NOT_READY(1),
    /** The receiver's tree of the partition is not at the resolution the request names. */
    RESOLUTION(2),
    /** The receiver's ring is not at the version the request names. */
    RING_DIFFERS(3);

    /** Codes are the ordinals: 0, 1, 2, ... in declaration order. */
    private static final AeStatus[] BY_CODE = values();

    private final int code;

    AeStatus(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static AeStatus read(ByteReader r) {
        int code = r.u8("status");
        if (code >= BY_CODE.length) {
            throw new MalformedEncodingException("status " + code + " is not one of 0.." + (BY_CODE.length - 1));
        }
        return BY_CODE[code];
    }

    void write(BodyWriter w) {
        w.u8(code);
    }
}
