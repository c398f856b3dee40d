package io.chorus.transport.protocol;

import io.chorus.core.error.MalformedEncodingException;

/** The body of requests that carry nothing: CLUSTER_INFO and STATS requests. Stateless. */
public final class EmptyBody {

    private EmptyBody() {
    }

    public static byte[] encode() {
        return new byte[0];
    }

    /** Rejects a body that is not empty: trailing bytes mean the sender speaks something else. */
    public static void decode(byte[] body, String what) {
        if (body.length != 0) {
            throw new MalformedEncodingException(what + ": expected an empty body, got " + body.length + " bytes");
        }
    }
}
