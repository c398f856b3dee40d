package io.chorus.transport.protocol;

/** The bits of a frame header's {@code flags} byte. Constants only. */
public final class FrameFlags {

    /** Set on every response. */
    public static final int RESPONSE = 0x01;
    /** Set together with {@link #RESPONSE} when the body is an {@link ErrorBody}. */
    public static final int ERROR = 0x02;
    /** Bits 2-7: must be zero in version 1. */
    public static final int RESERVED = 0xFC;

    private FrameFlags() {
    }

    /** Why a flags byte is invalid, or null when it is fine. Pure, for the frame decoder. */
    public static String problem(int flags) {
        if ((flags & RESERVED) != 0) {
            return String.format("reserved flag bits set: 0x%02x", flags);
        }
        if ((flags & ERROR) != 0 && (flags & RESPONSE) == 0) {
            return "ERROR flag without RESPONSE";
        }
        return null;
    }
}
