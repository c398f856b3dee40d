package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;

/**
 * FORWARD: a client request that reached a node outside the key's preference list, passed to a replica to
 * coordinate. Body: {@code clientOpcode:u16} then the client request body of that opcode exactly as in the client
 * protocol (GET {@code key n r timeoutMillis}, PUT {@code key context value n w timeoutMillis}, DELETE
 * {@code key context n w timeoutMillis}). n and r/w are as the client asked them, 0 for the default, so that
 * the receiver resolves them against its own ring as it would a client's request: the forwarding node's ring may
 * be older (a cluster still growing shrinks a default N to its size), and an N resolved there would name other
 * replicas than the receiver's. The timeout is resolved (never 0): the forwarding node's client waits by it. An
 * empty context is sent as length 0. The reply body is the resulting sibling set in the
 * causal encoding. Not idempotent for writes: a duplicated FORWARD of a PUT adds a second sibling.
 *
 * <p>Immutable by convention: arrays are not copied (package-internal message). {@code value} is null except for
 * PUT.
 */
record Forward(int clientOpcode, byte[] key, VersionVector context, byte[] value, int n, int required,
        long timeoutMillis) {

    static final int GET = 0x0101;
    static final int PUT = 0x0102;
    static final int DELETE = 0x0103;

    Message encode() {
        BodyWriter w = new BodyWriter(key.length + (value == null ? 0 : value.length) + 64).u16(clientOpcode)
                .bytes(key);
        if (clientOpcode != GET) {
            w.bytes(context.isEmpty() ? new byte[0] : CausalCodec.encodeContext(context));
        }
        if (clientOpcode == PUT) {
            w.bytes(value);
        }
        w.varint(n).varint(required).varint(timeoutMillis);
        return Message.adopt(PeerOpcodes.FORWARD, w.toArray());
    }

    static Forward decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int op = r.u8("client opcode") << 8 | r.u8("client opcode");
        if (op != GET && op != PUT && op != DELETE) {
            throw new MalformedEncodingException(String.format("FORWARD of opcode 0x%04x", op));
        }
        byte[] key = PeerFields.key(r);
        VersionVector context = VersionVector.empty();
        byte[] value = null;
        if (op != GET) {
            byte[] raw = r.bytes("context", Integer.MAX_VALUE);
            if (raw.length > 0) {
                context = CausalCodec.decodeContext(raw);
                if (context.isEmpty()) {
                    throw new MalformedEncodingException("an empty context is sent as length 0");
                }
            }
        }
        if (op == PUT) {
            value = r.bytes("value", Integer.MAX_VALUE);
        }
        int n = (int) r.varlong("n", 0, QuorumOptions.MAX_REPLICAS);
        int required = (int) r.varlong(op == GET ? "r" : "w", 0, n == 0 ? QuorumOptions.MAX_REPLICAS : n);
        long timeout = r.varlong("timeoutMillis", 1, QuorumOptions.MAX_TIMEOUT_MILLIS);
        r.expectEnd("FORWARD");
        return new Forward(op, key, context, value, n, required, timeout);
    }

    /** The request as the client asked it ({@code options}), with the timeout {@code quorum} resolved. */
    static Forward of(int clientOpcode, byte[] key, VersionVector context, byte[] value, QuorumOptions options,
            Quorum quorum) {
        return new Forward(clientOpcode, key, context, value, options.n(),
                clientOpcode == GET ? options.r() : options.w(), quorum.timeoutMillis());
    }

    /** The same request with {@code millis} to go (a forward routed again after a pause). */
    Forward withTimeout(long millis) {
        return new Forward(clientOpcode, key, context, value, n, required, millis);
    }

    /** The options to coordinate with; the receiver resolves and validates them against its own ring. */
    QuorumOptions options() {
        return clientOpcode == GET ? new QuorumOptions(n, required, 0, timeoutMillis)
                : new QuorumOptions(n, 0, required, timeoutMillis);
    }

    static Message reply(SiblingSet result) {
        return Message.adopt(PeerOpcodes.FORWARD, CausalCodec.encode(result));
    }
}
