package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The node-to-node bodies: byte fixtures, round trips, and rejection of truncated, padded or garbage input. */
class PeerMessagesTest {

    private static final SiblingSet SET = SiblingSet.empty()
            .update(VersionVector.empty(), ActorId.of("a", 1), bytes("v"), 7);

    @Test
    void replicaGetHasTheDocumentedBytes() {
        Message m = new ReplicaGet(300, bytes("k")).encode();
        assertThat(m.opcode()).isEqualTo(0x1002);
        assertThat(HexFormat.of().formatHex(m.body())).isEqualTo("ac02" + "016b");
        ReplicaGet back = ReplicaGet.decode(m.body());
        assertThat(back.partition()).isEqualTo(300);
        assertThat(back.key()).isEqualTo(bytes("k"));
    }

    @Test
    void roundTrips() {
        ReplicaPut put = ReplicaPut.decode(new ReplicaPut(5, bytes("key"), SET).encode().body());
        assertThat(put.partition()).isEqualTo(5);
        assertThat(put.value()).isEqualTo(SET);

        HintPut hint = HintPut.decode(new HintPut(NodeId.of("owner"), 9, bytes("key"), SET).encode().body());
        assertThat(hint.owner()).isEqualTo(NodeId.of("owner"));
        assertThat(hint.value()).isEqualTo(SET);

        Forward fwd = Forward.decode(Forward.of(Forward.PUT, bytes("key"), SET.context(), bytes("val"),
                new QuorumOptions(3, 0, 2, 0), new Quorum(3, 2, 1500)).encode().body());
        assertThat(fwd.clientOpcode()).isEqualTo(Forward.PUT);
        assertThat(fwd.context()).isEqualTo(SET.context());
        assertThat(fwd.value()).isEqualTo(bytes("val"));
        assertThat(fwd.options()).isEqualTo(new QuorumOptions(3, 0, 2, 1500));

        Forward get = Forward.decode(Forward.of(Forward.GET, bytes("key"), VersionVector.empty(), null,
                new QuorumOptions(3, 1, 0, 10), new Quorum(3, 1, 10)).encode().body());
        assertThat(get.options()).isEqualTo(new QuorumOptions(3, 1, 0, 10));
        // Defaults travel as 0, for the receiver to resolve against its own ring; the timeout is resolved.
        Forward byDefault = Forward.decode(Forward.of(Forward.GET, bytes("key"), VersionVector.empty(), null,
                QuorumOptions.DEFAULT, new Quorum(1, 1, 10)).encode().body());
        assertThat(byDefault.options()).isEqualTo(new QuorumOptions(0, 0, 0, 10));
        Forward del = Forward.decode(Forward.of(Forward.DELETE, bytes("key"), VersionVector.empty(), null,
                new QuorumOptions(2, 0, 0, 0), new Quorum(2, 2, 10)).encode().body());
        assertThat(del.context().isEmpty()).isTrue();
        assertThat(del.value()).isNull();
    }

    @Test
    void malformedBodiesAreRejected() {
        byte[] put = new ReplicaPut(5, bytes("key"), SET).encode().body();
        for (int cut = 0; cut < put.length; cut++) {
            byte[] truncated = Arrays.copyOf(put, cut);
            assertThatThrownBy(() -> ReplicaPut.decode(truncated)).isInstanceOf(MalformedEncodingException.class);
        }
        byte[] padded = Arrays.copyOf(put, put.length + 1);
        assertThatThrownBy(() -> ReplicaPut.decode(padded)).isInstanceOf(MalformedEncodingException.class);
        // An empty key, a partition past 0xFFFF, a non-shortest varint.
        assertThatThrownBy(() -> ReplicaGet.decode(new byte[] {0, 0})).isInstanceOf(MalformedEncodingException.class);
        assertThatThrownBy(() -> ReplicaGet.decode(new byte[] {(byte) 0x80, (byte) 0x80, 4, 1, 'k'}))
                .isInstanceOf(MalformedEncodingException.class);
        assertThatThrownBy(() -> ReplicaGet.decode(new byte[] {(byte) 0x81, 0, 1, 'k'}))
                .isInstanceOf(MalformedEncodingException.class);
        // FORWARD: unknown inner opcode; r above n; an empty context not sent as length 0.
        assertThatThrownBy(() -> Forward.decode(new byte[] {1, 4, 1, 'k', 3, 2, 1}))
                .isInstanceOf(MalformedEncodingException.class);
        assertThatThrownBy(() -> Forward.decode(new byte[] {1, 1, 1, 'k', 2, 3, 1}))
                .isInstanceOf(MalformedEncodingException.class);
        assertThatThrownBy(() -> Forward.decode(new byte[] {1, 3, 1, 'k', 2, 1, 0, 3, 2, 1}))
                .isInstanceOf(MalformedEncodingException.class);
    }

    @Test
    void randomGarbageNeverDecodesToSomethingElse() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[random.nextInt(24)];
            random.nextBytes(garbage);
            for (var decoder : new java.util.function.Function[] {
                    (java.util.function.Function<byte[], Object>) ReplicaPut::decode,
                    (java.util.function.Function<byte[], Object>) ReplicaGet::decode,
                    (java.util.function.Function<byte[], Object>) HintPut::decode,
                    (java.util.function.Function<byte[], Object>) Forward::decode}) {
                try {
                    Object decoded = decoder.apply(garbage);
                    assertThat(reencode(decoded)).as("canonical").isEqualTo(garbage);
                } catch (MalformedEncodingException expected) {
                    // rejected: fine
                }
            }
        }
    }

    @Test
    void handlerAnswersMalformedWithBadRequestAndUnknownOpcodes() {
        PeerHandler handler = new PeerHandler(null, null, null, null);
        CompletableFuture<Message> bad = handler.handle(NodeId.of("x"), Message.of(PeerOpcodes.REPLICA_GET,
                new byte[] {1}));
        assertThat(NodeServices.codeOf(bad.handle((m, e) -> e).join())).isEqualTo(ErrorCode.BAD_REQUEST);
        // A sibling set with no actors but a sibling naming actor 110: BAD_REQUEST, not an index out of bounds.
        byte[] noActors = {0, 1, 'k', 7, 1, 0, 1, 0x6E, 1, 0, 0};
        CompletableFuture<Message> orphan = handler.handle(NodeId.of("x"), Message.of(PeerOpcodes.REPLICA_PUT,
                noActors));
        assertThat(NodeServices.codeOf(orphan.handle((m, t) -> t).join())).isEqualTo(ErrorCode.BAD_REQUEST);
        CompletableFuture<Message> unknown = handler.handle(NodeId.of("x"), Message.of(0x10FF, new byte[0]));
        Throwable e = Failures.unwrap(unknown.handle((m, t) -> t).join());
        assertThat(((ChorusException) e).code()).isEqualTo(ErrorCode.UNKNOWN_OPCODE);
    }

    /** Node messages are checked against the ring: a key under a wrong partition, a hint for a non-member. */
    @Test
    void messagesThatNoReadCouldFindOrNoReplayCouldDeliverAreBadRequests() {
        SimCluster c = new SimCluster(new io.chorus.testkit.Simulation(7), 3, CoordinatorConfig.defaults());
        byte[] key = bytes("placed");
        NodeId replica = c.replicas(key, 3).get(1);
        NodeId from = c.replicas(key, 3).get(0);
        int partition = c.ring.partitionOf(key);
        int wrong = (partition + 1) % SimCluster.PARTITIONS;
        SiblingSet value = SiblingSet.empty().update(VersionVector.empty(), ActorId.of("n1", 100), bytes("v"), 1);
        var peer = c.coordinator(replica).peerHandler();

        assertBadRequest(peer.handle(from, new ReplicaPut(wrong, key, value).encode()), "partition");
        assertBadRequest(peer.handle(from, new ReplicaGet(wrong, key).encode()), "partition");
        assertBadRequest(peer.handle(from, new HintPut(NodeId.of("n1"), wrong, key, value).encode()), "partition");
        assertBadRequest(peer.handle(from, new HintPut(NodeId.of("stranger"), partition, key, value).encode()),
                "not a member");
        assertThat(c.stored(replica, key).isEmpty()).isTrue();
        assertThat(c.hints(replica)).isZero();

        // The same messages under the right partition and for a member are served.
        c.await(peer.handle(from, new ReplicaPut(partition, key, value).encode()));
        assertThat(c.stored(replica, key)).isEqualTo(value);
        c.await(peer.handle(from, new HintPut(c.replicas(key, 3).get(2), partition, key, value).encode()));
        assertThat(c.hints(replica)).isOne();
    }

    private static void assertBadRequest(CompletableFuture<Message> reply, String messagePart) {
        Throwable e = Failures.unwrap(reply.handle((m, t) -> t).join());
        assertThat(e).isInstanceOfSatisfying(ChorusException.class,
                ce -> assertThat(ce.code()).isEqualTo(ErrorCode.BAD_REQUEST)).hasMessageContaining(messagePart);
    }

    private static byte[] reencode(Object decoded) {
        if (decoded instanceof ReplicaPut p) {
            return p.encode().body();
        } else if (decoded instanceof ReplicaGet g) {
            return g.encode().body();
        } else if (decoded instanceof HintPut h) {
            return h.encode().body();
        }
        return ((Forward) decoded).encode().body();
    }
}
