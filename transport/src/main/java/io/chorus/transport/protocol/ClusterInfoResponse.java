package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CLUSTER_INFO response: {@code ringVersion:varint ring:bytes endpointCount:varint (nodeId:string host:string
 * port:u16)*}. The ring stays opaque bytes here (the ring module's {@code RingCodec} reads them), so the transport
 * does not depend on the ring. The ring array is shared, not copied; do not mutate it. Immutable under that rule.
 */
public record ClusterInfoResponse(long ringVersion, byte[] ring, List<Endpoint> endpoints) {

    /** Smallest encoded endpoint: 1-byte node id and host with their lengths, and the port. */
    private static final int MIN_ENDPOINT_BYTES = 6;

    /** Where clients reach a node: host 1 to 255 bytes of UTF-8, port 1..65535. Immutable. */
    public record Endpoint(NodeId nodeId, String host, int port) {

        public Endpoint {
            if (nodeId == null) {
                throw new IllegalArgumentException("node id must be given");
            }
            if (host == null || host.isEmpty() || Wire.utf8(host).length > ProtocolLimits.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("host must be 1 to " + ProtocolLimits.MAX_NAME_BYTES + " bytes");
            }
            if (port < 1 || port > 0xFFFF) {
                throw new IllegalArgumentException("port outside 1..65535: " + port);
            }
        }
    }

    public ClusterInfoResponse {
        Wire.checkNonNegative("ringVersion", ringVersion);
        if (ring == null) {
            throw new IllegalArgumentException("ring must be given");
        }
        endpoints = List.copyOf(endpoints);
    }

    public byte[] encode() {
        byte[][] ids = new byte[endpoints.size()][];
        byte[][] hosts = new byte[endpoints.size()][];
        int size = Varint.size(ringVersion) + Wire.bytesSize(ring.length) + Varint.size(endpoints.size());
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Wire.utf8(endpoints.get(i).nodeId().name());
            hosts[i] = Wire.utf8(endpoints.get(i).host());
            size += Wire.bytesSize(ids[i].length) + Wire.bytesSize(hosts[i].length) + 2;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        Varint.write(out, ringVersion);
        Wire.putBytes(out, ring);
        Varint.write(out, ids.length);
        for (int i = 0; i < ids.length; i++) {
            Wire.putBytes(out, ids[i]);
            Wire.putBytes(out, hosts[i]);
            Wire.putU16(out, endpoints.get(i).port());
        }
        return Wire.finish(out);
    }

    public static ClusterInfoResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        long version = Wire.readRingVersion(r);
        byte[] ring = r.bytes("ring", Integer.MAX_VALUE);
        int count = r.count("endpoint count", MIN_ENDPOINT_BYTES);
        List<Endpoint> endpoints = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = r.utf8("endpoint node id", ProtocolLimits.MAX_NAME_BYTES);
            String host = r.utf8("endpoint host", ProtocolLimits.MAX_NAME_BYTES);
            int port = Wire.u16(r, "endpoint port");
            endpoints.add(Wire.construct("endpoint " + i, () -> new Endpoint(new NodeId(id), host, port)));
        }
        r.expectEnd("CLUSTER_INFO response");
        return new ClusterInfoResponse(version, ring, endpoints);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterInfoResponse c && ringVersion == c.ringVersion && Arrays.equals(ring, c.ring)
                && endpoints.equals(c.endpoints);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(ringVersion) * 31 + Arrays.hashCode(ring)) * 31 + endpoints.hashCode();
    }

    @Override
    public String toString() {
        return "ClusterInfoResponse[ringVersion=" + ringVersion + ", " + ring.length + "-byte ring, endpoints="
                + endpoints + "]";
    }
}
