package io.chorus.transport.protocol;

import io.chorus.core.error.MalformedEncodingException;

/** Who opened a connection, as said in its HELLO: a client, or another node of the cluster. Immutable. */
public enum Role {
    CLIENT(0),
    NODE(1);

    private final int wire;

    Role(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public static Role fromWire(int value) {
        for (Role r : values()) {
            if (r.wire == value) {
                return r;
            }
        }
        throw new MalformedEncodingException("role " + value + " is neither client (0) nor node (1)");
    }
}
