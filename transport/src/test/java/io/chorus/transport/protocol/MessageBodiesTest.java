package io.chorus.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.error.QuorumException;
import io.chorus.transport.RemoteException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageBodiesTest {

    @Test
    void aQuorumFailureCrossesTheWireWithItsAcks() {
        ErrorBody body = ErrorBody.from(new java.util.concurrent.CompletionException(
                new QuorumException(ErrorCode.QUORUM_NOT_MET, "put of k", 1, 2)));
        ErrorBody decoded = ErrorBody.decode(body.encode());
        assertThat(decoded.acks()).isEqualTo(1);
        assertThat(decoded.required()).isEqualTo(2);
        assertThat(decoded.toException()).isInstanceOfSatisfying(RemoteException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.QUORUM_NOT_MET);
            assertThat(e.acks()).isEqualTo(1);
            assertThat(e.getMessage()).contains("put of k");
        });
        assertThatThrownBy(() -> new QuorumException(ErrorCode.INTERNAL, "x", 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }


    private static final byte[] KEY = "user:42".getBytes(StandardCharsets.UTF_8);
    private static final ActorId A = ActorId.of("node-a", 1);
    private static final ActorId B = ActorId.of("node-b", 7);

    private static SiblingSet twoSiblings() {
        SiblingSet one = SiblingSet.empty().update(VersionVector.empty(), A, bytes("v1"), 1_700_000_000_000L);
        SiblingSet two = one.update(VersionVector.empty(), B, bytes("v2"), 1_700_000_000_001L);
        return two.update(VersionVector.empty(), A, null, 1_700_000_000_002L);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every body type, a few values each, with its decoder. */
    static Stream<Arguments> bodies() {
        SiblingSet set = twoSiblings();
        VersionVector ctx = set.context();
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("requests", 12_345L);
        stats.put("keys.live", 0L);
        stats.put("bytes", Long.MAX_VALUE);
        return Stream.of(
                body(new HelloRequest(1, 1, Role.CLIENT, "client-7"), HelloRequest::encode, HelloRequest::decode),
                body(new HelloRequest(1, 9, Role.NODE, "nœud-ü"), HelloRequest::encode, HelloRequest::decode),
                body(new HelloResponse(1, NodeId.of("node-a"), 0), HelloResponse::encode, HelloResponse::decode),
                body(new HelloResponse(1, NodeId.of("node-a"), Long.MAX_VALUE), HelloResponse::encode,
                        HelloResponse::decode),
                body(new PingBody(new byte[0]), PingBody::encode, PingBody::decode),
                body(new PingBody(new byte[1024]), PingBody::encode, PingBody::decode),
                body(new GetRequest(KEY, 0, 0, 0), GetRequest::encode, GetRequest::decode),
                body(new GetRequest(new byte[ProtocolLimits.MAX_KEY_BYTES], 5, 3, 600_000), GetRequest::encode, GetRequest::decode),
                body(new GetResponse(3, SiblingSet.empty()), GetResponse::encode, GetResponse::decode),
                body(new GetResponse(300, set), GetResponse::encode, GetResponse::decode),
                body(new PutRequest(KEY, VersionVector.empty(), bytes("value"), 0, 0, 0), PutRequest::encode,
                        PutRequest::decode),
                body(new PutRequest(KEY, ctx, new byte[2_000], 3, 2, 500), PutRequest::encode, PutRequest::decode),
                body(new PutResponse(1, set), PutResponse::encode, PutResponse::decode),
                body(new DeleteRequest(KEY, ctx, 3, 3, 10), DeleteRequest::encode, DeleteRequest::decode),
                body(new DeleteRequest(KEY, VersionVector.empty(), 0, 1, 0), DeleteRequest::encode,
                        DeleteRequest::decode),
                body(new DeleteResponse(9, ctx), DeleteResponse::encode, DeleteResponse::decode),
                body(new ClusterInfoResponse(4, new byte[] {1, 4, 8}, List.of()), ClusterInfoResponse::encode,
                        ClusterInfoResponse::decode),
                body(new ClusterInfoResponse(4, new byte[300], List.of(
                        new ClusterInfoResponse.Endpoint(NodeId.of("node-a"), "10.0.0.1", 7400),
                        new ClusterInfoResponse.Endpoint(NodeId.of("node-b"), "db-2.example.com", 65535))),
                        ClusterInfoResponse::encode, ClusterInfoResponse::decode),
                body(new StatsResponse(Map.of()), StatsResponse::encode, StatsResponse::decode),
                body(new StatsResponse(stats), StatsResponse::encode, StatsResponse::decode),
                body(RepairRequest.allPartitions(), RepairRequest::encode, RepairRequest::decode),
                body(RepairRequest.partition(0), RepairRequest::encode, RepairRequest::decode),
                body(RepairRequest.partition(ProtocolLimits.MAX_PARTITION), RepairRequest::encode,
                        RepairRequest::decode),
                body(new RepairResponse(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), RepairResponse::encode,
                        RepairResponse::decode),
                body(new RepairResponse(256, 512, 500, 9, 2, 1, 40, 1_000, 300, 1L << 40, Long.MAX_VALUE, 61_000),
                        RepairResponse::encode, RepairResponse::decode),
                body(ErrorBody.of(ErrorCode.QUORUM_NOT_MET, "1 of 2 replicas answered", 1, 2), ErrorBody::encode,
                        ErrorBody::decode),
                body(new ErrorBody(999, "from the future", 0, 0), ErrorBody::encode, ErrorBody::decode));
    }

    private static <T> Arguments body(T value, Function<T, byte[]> encode, Function<byte[], T> decode) {
        return Arguments.of(value, encode, decode);
    }

    @ParameterizedTest
    @MethodSource("bodies")
    <T> void everyBodyRoundTrips(T value, Function<T, byte[]> encode, Function<byte[], T> decode) {
        byte[] wire = encode.apply(value);
        T back = decode.apply(wire);
        assertThat(back).isEqualTo(value).hasSameHashCodeAs(value);
        assertThat(encode.apply(back)).isEqualTo(wire);
    }

    @ParameterizedTest
    @MethodSource("bodies")
    <T> void everyTruncationOrTrailingByteIsRejected(T value, Function<T, byte[]> encode,
                                                      Function<byte[], T> decode) {
        byte[] wire = encode.apply(value);
        for (int len = 0; len < wire.length; len++) {
            byte[] cut = Arrays.copyOf(wire, len);
            assertThatThrownBy(() -> decode.apply(cut)).as("prefix of %d bytes", len)
                    .isInstanceOf(MalformedEncodingException.class);
        }
        byte[] longer = Arrays.copyOf(wire, wire.length + 1);
        assertThatThrownBy(() -> decode.apply(longer)).isInstanceOf(MalformedEncodingException.class);
    }

    @Test
    void fixturesMatchTheSpecLayout() {
        // key "k" (len 1), n 3, r 2, timeout 1000 = 0xE8 0x07
        assertThat(new GetRequest(bytes("k"), 3, 2, 1000).encode())
                .containsExactly(0x01, 'k', 0x03, 0x02, 0xE8, 0x07);
        // min 1, max 1, role node, name "n1"
        assertThat(new HelloRequest(1, 1, Role.NODE, "n1").encode()).containsExactly(1, 1, 1, 2, 'n', '1');
        // code u16 big-endian, message, acks, required
        assertThat(ErrorBody.of(ErrorCode.INTERNAL, "x", 1, 2).encode()).containsExactly(0, 0xFF, 1, 'x', 1, 2);
        // blind write: empty context is length 0
        assertThat(new PutRequest(bytes("k"), VersionVector.empty(), bytes("v"), 0, 0, 0).encode())
                .containsExactly(1, 'k', 0, 1, 'v', 0, 0, 0);
        assertThat(new ClusterInfoResponse(1, new byte[] {9}, List.of(
                new ClusterInfoResponse.Endpoint(NodeId.of("a"), "h", 0x1F90))).encode())
                .containsExactly(1, 1, 9, 1, 1, 'a', 1, 'h', 0x1F, 0x90);
        // scope 0 (all partitions); scope 1 and partition 300 = 0xAC 0x02
        assertThat(RepairRequest.allPartitions().encode()).containsExactly(0);
        assertThat(RepairRequest.partition(300).encode()).containsExactly(1, 0xAC, 0x02);
        // twelve varints in order
        assertThat(new RepairResponse(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1000).encode())
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xE8, 0x07);
    }

    @Test
    void repairBodiesOutOfRangeAreMalformed() {
        assertThatThrownBy(() -> RepairRequest.decode(new byte[] {2}))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("repair scope 2");
        // partition 65536 = 0x80 0x80 0x04
        assertThatThrownBy(() -> RepairRequest.decode(new byte[] {1, (byte) 0x80, (byte) 0x80, 0x04}))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("partition");
        // scope 0 takes no partition
        assertThatThrownBy(() -> RepairRequest.decode(new byte[] {0, 5}))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> RepairRequest.partition(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RepairRequest.partition(65536)).isInstanceOf(IllegalArgumentException.class);
        // a count of 2^63 in the last field
        byte[] huge = concat(new byte[11], varint(Long.MIN_VALUE));
        assertThatThrownBy(() -> RepairResponse.decode(huge))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("tookMillis");
        assertThatThrownBy(() -> new RepairResponse(0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failed");
    }

    @Test
    void keysOverTheLimitAreTooLargeNotMalformed() {
        byte[] wire = concat(new byte[] {(byte) 0xFE, 0x03}, new byte[510], new byte[] {0, 0, 0});
        assertThatThrownBy(() -> GetRequest.decode(wire))
                .isInstanceOf(LimitExceededException.class)
                .extracting(e -> ((ChorusException) e).code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThatThrownBy(() -> new GetRequest(new byte[510], 0, 0, 0))
                .isInstanceOf(LimitExceededException.class);
    }

    @Test
    void emptyKeysAndImpossibleQuorumsAreMalformed() {
        assertThatThrownBy(() -> GetRequest.decode(new byte[] {0, 0, 0, 0}))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("key");
        // r = 4 > n = 3
        assertThatThrownBy(() -> GetRequest.decode(new byte[] {1, 'k', 3, 4, 0}))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("exceeds n");
        // n = 256 is over the syntactic bound
        assertThatThrownBy(() -> GetRequest.decode(new byte[] {1, 'k', (byte) 0x80, 0x02, 0, 0}))
                .isInstanceOf(MalformedEncodingException.class);
        // defaults: r without n is fine here; the coordinator checks it against the cluster's N
        assertThat(GetRequest.decode(new byte[] {1, 'k', 0, 7, 0}).r()).isEqualTo(7);
    }

    @Test
    void timeoutsOverTenMinutesAreMalformed() {
        byte[] atLimit = new GetRequest(KEY, 0, 0, ProtocolLimits.MAX_TIMEOUT_MILLIS).encode();
        assertThat(GetRequest.decode(atLimit).timeoutMillis()).isEqualTo(600_000);
        for (long over : new long[] {ProtocolLimits.MAX_TIMEOUT_MILLIS + 1, Long.MAX_VALUE}) {
            byte[] get = concat(new byte[] {(byte) KEY.length}, KEY, new byte[] {0, 0}, varint(over));
            assertThatThrownBy(() -> GetRequest.decode(get)).isInstanceOf(MalformedEncodingException.class)
                    .hasMessageContaining("timeoutMillis");
            byte[] delete = concat(new byte[] {(byte) KEY.length}, KEY, new byte[] {0, 0, 0}, varint(over));
            assertThatThrownBy(() -> DeleteRequest.decode(delete)).isInstanceOf(MalformedEncodingException.class)
                    .hasMessageContaining("timeoutMillis");
        }
        assertThatThrownBy(() -> new PutRequest(KEY, VersionVector.empty(), bytes("v"), 0, 0, 600_001))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] varint(long v) {
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(io.chorus.core.codec.Varint.size(v));
        io.chorus.core.codec.Varint.write(out, v);
        return out.array();
    }

    @Test
    void badEnumsNamesAndContextsAreMalformed() {
        assertThatThrownBy(() -> HelloRequest.decode(new byte[] {1, 1, 2, 1, 'x'}))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("role");
        assertThatThrownBy(() -> HelloRequest.decode(new byte[] {1, 1, 0, 2, 'a', ' '}))
                .isInstanceOf(MalformedEncodingException.class);
        assertThatThrownBy(() -> HelloRequest.decode(new byte[] {2, 1, 0, 1, 'a'}))
                .isInstanceOf(MalformedEncodingException.class);
        // a context that is not a context: format 9
        assertThatThrownBy(() -> PutRequest.decode(new byte[] {1, 'k', 2, 9, 0, 0, 0, 0, 0}))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("format");
        assertThatThrownBy(() -> StatsResponse.decode(new byte[] {2, 1, 'a', 1, 1, 'a', 2}))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("repeated");
        assertThatThrownBy(() -> EmptyBody.decode(new byte[1], "STATS request"))
                .isInstanceOf(MalformedEncodingException.class);
    }

    @Test
    void pingPayloadOverOneKibIsTooLarge() {
        // length 1025 = varint 0x81 0x08
        byte[] longer = concat(new byte[] {(byte) 0x81, 0x08}, new byte[1025]);
        assertThatThrownBy(() -> PingBody.decode(longer)).isInstanceOf(LimitExceededException.class);
    }

    @Test
    void aContextWithNoActorsReadsAsNoContext() {
        // [1, 0] is the canonical empty context; it means the same as length 0
        PutRequest put = PutRequest.decode(new byte[] {1, 'k', 2, 1, 0, 0, 0, 0, 0});
        assertThat(put.context()).isEqualTo(VersionVector.empty());
    }

    @Test
    void errorsFromTheFutureReadAsInternalButKeepTheirNumber() {
        ErrorBody body = ErrorBody.decode(new ErrorBody(999, "new", 0, 0).encode());
        assertThat(body.errorCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(body.toException().wireCode()).isEqualTo(999);
    }

    @Test
    void opcodeConcernsAndRoles() {
        assertThat(Opcodes.concern(Opcodes.CLUSTER_INFO)).isEqualTo(Opcodes.CONCERN_CLUSTER);
        assertThat(Opcodes.isServedTo(Role.CLIENT, Opcodes.GET)).isTrue();
        assertThat(Opcodes.isServedTo(Role.CLIENT, 0x1001)).isFalse();
        assertThat(Opcodes.isServedTo(Role.NODE, 0x1001)).isTrue();
        assertThat(Opcodes.isServedTo(Role.NODE, 0x2005)).isTrue();
        assertThat(Opcodes.isServedTo(Role.NODE, 0x0104)).isFalse();
        assertThat(Opcodes.isServedTo(Role.NODE, 0x5001)).isFalse();
        assertThat(Opcodes.name(Opcodes.PUT)).isEqualTo("PUT");
        assertThat(Opcodes.concern(Opcodes.REPAIR)).isEqualTo(Opcodes.CONCERN_CLUSTER);
        assertThat(Opcodes.isServedTo(Role.CLIENT, Opcodes.REPAIR)).isTrue();
        assertThat(Opcodes.isServedTo(Role.CLIENT, 0x3001)).isFalse();
        assertThat(Opcodes.isServedTo(Role.NODE, 0x3001)).isTrue();
        assertThat(Opcodes.name(Opcodes.REPAIR)).isEqualTo("REPAIR");
        for (int opcode = Opcodes.MEMBERS; opcode <= Opcodes.BACKUP; opcode++) {
            assertThat(Opcodes.concern(opcode)).isEqualTo(Opcodes.CONCERN_CLUSTER);
            assertThat(Opcodes.isServedTo(Role.CLIENT, opcode)).as("0x%04x", opcode).isTrue();
            assertThat(Opcodes.name(opcode)).doesNotStartWith("0x");
        }
        assertThat(Opcodes.isServedTo(Role.CLIENT, 0x020D)).isFalse();
        assertThat(Opcodes.name(Opcodes.COMMIT)).isEqualTo("COMMIT");
    }

    @Test
    void versionNegotiationPicksTheHighestCommonVersion() {
        assertThat(ProtocolVersion.negotiate(1, 1)).hasValue(1);
        assertThat(ProtocolVersion.negotiate(1, 5)).hasValue(1);
        assertThat(ProtocolVersion.negotiate(2, 5)).isEmpty();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
