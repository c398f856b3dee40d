package io.chorus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.transport.Message;
import io.chorus.storage.Durability;
import io.chorus.transport.netty.ClientConnection;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The skeleton the cluster benchmark compares against must do the work it claims, or its ceiling means nothing. */
class QuorumSkeletonTest {

    private static final byte[] KEY = "bench:7".getBytes(StandardCharsets.UTF_8);

    private final EventLoops loops = EventLoops.create(1, "skeleton-test-client");
    private QuorumSkeleton skeleton;
    private ClientConnection connection;

    @AfterEach
    void tearDown() throws Exception {
        if (connection != null) {
            connection.close();
        }
        loops.close();
        if (skeleton != null) {
            skeleton.close();
        }
    }

    private Message request(QuorumSkeleton.Mode mode, byte[] body) throws Exception {
        if (skeleton == null) {
            skeleton = new QuorumSkeleton(mode, Durability.NOSYNC);
            // Each server holds its own value, so an answer tells whose copy it is.
            for (int server = 0; server < 3; server++) {
                skeleton.load(server, List.of(KEY), bytes("loaded-" + server));
            }
            connection = ClientConnection.connect(loops, skeleton.addresses().get(1),
                    HelloRequest.of(Role.CLIENT, "test"), ClientOptions.callbacksOn(Runnable::run))
                    .get(5, TimeUnit.SECONDS);
        }
        return connection.request(Message.of(Opcodes.GET, body), 5_000).get(5, TimeUnit.SECONDS);
    }

    @Test
    void wireServesOnTheEventLoopsAndAnswersWithAStoredSizeBody() throws Exception {
        assertThat(request(QuorumSkeleton.Mode.WIRE, KEY).bodyLength()).isEqualTo(160);
        assertThat(skeleton.lastServedOn).startsWith("skeleton-io");
    }

    @Test
    void handoffsServeOnTheDispatchPool() throws Exception {
        assertThat(request(QuorumSkeleton.Mode.HANDOFFS, KEY).bodyLength()).isEqualTo(160);
        assertThat(skeleton.lastServedOn).startsWith("skeleton-dispatch");
    }

    @Test
    void readsServeOnTheDispatchPoolAndAnswerWithAPeersStoredBytes() throws Exception {
        SiblingSet answer = CausalCodec.decode(request(QuorumSkeleton.Mode.READS, KEY).body());
        assertThat(skeleton.lastServedOn).startsWith("skeleton-dispatch");
        // The connection goes to server 1: the answer is the copy of server 0 or 2, as stored there.
        assertThat(answer.liveSiblings()).extracting(Sibling::value)
                .containsAnyOf(bytes("loaded-0"), bytes("loaded-2"));
        assertThat(answer).isIn(skeleton.stored(0, KEY), skeleton.stored(2, KEY));
    }

    @Test
    void writesReachTwoStoresBeforeTheAckAndSupersedeTheLoadedValues() throws Exception {
        request(QuorumSkeleton.Mode.WRITES, writeBody(bytes("first")));
        assertThat(request(QuorumSkeleton.Mode.WRITES, writeBody(bytes("second"))).bodyLength()).isZero();
        // The server asked (index 1) stamps before it sends, and one of the others merged before the ack.
        assertThat(skeleton.stored(1, KEY).liveSiblings()).extracting(Sibling::value)
                .containsExactly(bytes("second"));
        long holding = List.of(0, 2).stream()
                .filter(s -> skeleton.stored(s, KEY).equals(skeleton.stored(1, KEY))).count();
        assertThat(holding).isGreaterThanOrEqualTo(1);
    }

    private static byte[] writeBody(byte[] value) {
        byte[] body = new byte[1 + KEY.length + value.length];
        body[0] = (byte) KEY.length;
        System.arraycopy(KEY, 0, body, 1, KEY.length);
        System.arraycopy(value, 0, body, 1 + KEY.length, value.length);
        return body;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
