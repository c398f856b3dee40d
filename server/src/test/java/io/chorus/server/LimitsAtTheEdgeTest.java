package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.client.RequestOptions;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.core.NodeId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import io.chorus.storage.Durability;
import io.chorus.storage.StorageConfig;
import io.chorus.transport.protocol.ProtocolLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes at each limit of docs/protocol.md and one byte over it, through the Java client and the wire. The stored
 * object limit sits below the frame limit by what every message that carries a set adds, so a key written right
 * up to it is stored on every replica and read back through the wire; one byte more is refused up front with
 * TOO_LARGE naming the limit, and nothing of it is stored anywhere.
 */
class LimitsAtTheEdgeTest {

    private static final RequestOptions ALL = new RequestOptions(3, 3, 3, 30_000);

    @Test
    void keysValuesAndStoredObjectsAtTheirLimitsAndOneByteOver(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(4).dataDir(dir).durability(Durability.NOSYNC)
                .coordinator(CoordinatorConfig.defaults().withHintReplay(100, 10)).start();
             ChorusClient client = cluster.client()) {
            byte[] longest = new byte[ProtocolLimits.MAX_KEY_BYTES];
            longest[0] = 'k';
            client.put(longest, bytes("v"), null);
            assertTooLarge(() -> client.put(new byte[ProtocolLimits.MAX_KEY_BYTES + 1], bytes("v"), null),
                    ProtocolLimits.MAX_KEY_BYTES);

            // The longest key, so that the message with the most around a set (a HINT_PUT) is at its largest too.
            byte[] key = longest.clone();
            key[1] = 'e';
            List<NodeId> primaries = cluster.node(0).ring().preferenceList(key, 3);
            int maxValue = StorageConfig.DEFAULT_MAX_VALUE_SIZE;
            assertTooLarge(() -> client.put(key, new byte[maxValue + 1], null, ALL), maxValue);
            // Fifteen siblings of the largest value, then one sized to fill the object limit exactly.
            for (int i = 0; i < 15; i++) {
                client.put(key, filled(maxValue, i), null, ALL);
            }
            int maxObject = ProtocolLimits.maxStoredObjectBytes(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES);
            SiblingSet fifteen = stored(node(cluster, primaries.get(0)), key);
            int room = maxObject - CausalCodec.encodedSize(fifteen) - siblingOverhead(maxValue);
            assertThat(room).isBetween(1, maxValue);

            assertTooLarge(() -> client.put(key, filled(room + 1, 98), null, ALL), maxObject);
            for (NodeId primary : primaries) {
                assertThat(stored(node(cluster, primary), key)).as("nothing of the refused write on %s", primary)
                        .isEqualTo(fifteen);
            }
            // The write at the limit while a primary is down: its copy travels as a HINT_PUT, then a REPLICA_PUT.
            int down = cluster.ids().indexOf(primaries.get(2));
            cluster.crash(down);
            ChorusObject full = client.put(key, filled(room, 99), null, ALL);
            assertThat(full.values()).hasSize(16);
            cluster.restart(down);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (NodeId primary : primaries) {
                    assertThat(CausalCodec.encodedSize(stored(node(cluster, primary), key))).as("on %s", primary)
                            .isEqualTo(maxObject);
                }
            });
            ChorusObject read = client.get(key, ALL);
            assertThat(read.values()).hasSize(16).contains(filled(room, 99));
            // One resolving write brings the key back to a single value.
            assertThat(client.put(key, bytes("resolved"), read.context(), ALL).values()).containsExactly(bytes("resolved"));
        }
    }

    /** What a sibling adds besides its value: index, counter, timestamp, kind and value length. */
    private static int siblingOverhead(int valueBytes) {
        return 1 + 1 + Varint.size(System.currentTimeMillis()) + 1 + Varint.size(valueBytes);
    }

    private static void assertTooLarge(Runnable write, long limit) {
        assertThatThrownBy(write::run).isInstanceOfSatisfying(ChorusException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(e.getMessage()).contains(Long.toString(limit));
            if (e instanceof LimitExceededException l) {
                assertThat(l.limit()).isEqualTo(limit);
            }
        });
    }

    private static ChorusNode node(EmbeddedCluster cluster, NodeId id) {
        return cluster.node(cluster.ids().indexOf(id));
    }

    private static SiblingSet stored(ChorusNode node, byte[] key) {
        return node.storage().get(node.ring().partitionOf(key), key);
    }

    private static byte[] filled(int size, int marker) {
        byte[] value = new byte[size];
        value[0] = (byte) marker;
        return value;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
