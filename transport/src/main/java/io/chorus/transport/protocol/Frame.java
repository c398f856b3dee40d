package io.chorus.transport.protocol;

import java.util.Arrays;

/**
 * One frame of the wire protocol, header fields and body, without its length prefix:
 * {@code length:u32 version:u8 opcode:u16 flags:u8 requestId:u64 body}. The body array is shared, not copied
 * (frames are the hot path): whoever builds a frame hands the array over and nobody mutates it afterwards.
 * Immutable under that rule.
 */
public record Frame(int version, int opcode, int flags, long requestId, byte[] body) {

    public static final int LENGTH_BYTES = 4;
    public static final int HEADER_BYTES = 12;

    public Frame {
        if (version < 1 || version > 0xFF) {
            throw new IllegalArgumentException("version must be in 1..255: " + version);
        }
        if (opcode < 0 || opcode > 0xFFFF) {
            throw new IllegalArgumentException("opcode must fit in 16 bits: " + opcode);
        }
        if (flags < 0 || flags > 0xFF || FrameFlags.problem(flags) != null) {
            throw new IllegalArgumentException("bad flags: " + flags);
        }
        if (body == null) {
            throw new NullPointerException("body");
        }
    }

    public static Frame request(int version, int opcode, long requestId, byte[] body) {
        return new Frame(version, opcode, 0, requestId, body);
    }

    public static Frame response(int version, int opcode, long requestId, byte[] body) {
        return new Frame(version, opcode, FrameFlags.RESPONSE, requestId, body);
    }

    public static Frame error(int version, int opcode, long requestId, ErrorBody error) {
        return new Frame(version, opcode, FrameFlags.RESPONSE | FrameFlags.ERROR, requestId, error.encode());
    }

    public boolean isResponse() {
        return (flags & FrameFlags.RESPONSE) != 0;
    }

    public boolean isError() {
        return (flags & FrameFlags.ERROR) != 0;
    }

    /** The value of the length prefix: header plus body. */
    public int length() {
        return HEADER_BYTES + body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && version == f.version && opcode == f.opcode && flags == f.flags
                && requestId == f.requestId && Arrays.equals(body, f.body);
    }

    @Override
    public int hashCode() {
        return ((version * 31 + opcode) * 31 + flags) * 31 + Long.hashCode(requestId) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return String.format("Frame[v%d %s flags=0x%02x id=%d, %d body bytes]", version, Opcodes.name(opcode), flags,
                requestId, body.length);
    }
}
