package io.chorus.core.transport;

import java.util.Arrays;

/**
 * A message between nodes: an opcode naming its kind (see the wire protocol's opcode table) and its encoded
 * body. Bodies are bytes, not objects, on every transport, the simulated one included, so that tests exercise the
 * same codecs as production. Immutable: the body is copied in and out.
 */
public final class Message {

    private final int opcode;
    private final byte[] body;

    private Message(int opcode, byte[] body) {
        if (opcode < 0 || opcode > 0xFFFF) {
            throw new IllegalArgumentException("opcode must fit in 16 bits: " + opcode);
        }
        this.opcode = opcode;
        this.body = body;
    }

    public static Message of(int opcode, byte[] body) {
        return new Message(opcode, body.clone());
    }

    /** For codecs that own a freshly decoded array: no second copy. The caller must not touch it afterwards. */
    public static Message adopt(int opcode, byte[] body) {
        return new Message(opcode, body);
    }

    public int opcode() {
        return opcode;
    }

    /** A copy of the body. */
    public byte[] body() {
        return body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    /** The body array itself, for encoders that only read it; never mutate or keep it. */
    public byte[] bodyUnsafe() {
        return body;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && opcode == m.opcode && Arrays.equals(body, m.body);
    }

    @Override
    public int hashCode() {
        return opcode * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return String.format("Message[0x%04x, %d bytes]", opcode, body.length);
    }
}
