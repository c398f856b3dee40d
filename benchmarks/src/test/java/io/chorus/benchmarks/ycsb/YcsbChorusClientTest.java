package io.chorus.benchmarks.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.server.EmbeddedCluster;
import io.chorus.storage.Durability;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.Vector;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** The binding against a real 3-node cluster (Netty on loopback, LMDB in a temporary directory). */
class YcsbChorusClientTest {

    private static EmbeddedCluster cluster;
    private static ChorusClient raw;
    private final List<ChorusYcsbClient> bindings = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC).partitions(16).start();
        raw = cluster.client();
    }

    @AfterAll
    static void stopCluster() {
        raw.close();
        cluster.close();
    }

    @AfterEach
    void cleanUp() {
        bindings.forEach(ChorusYcsbClient::cleanup);
    }

    @Test
    void insertThenReadGivesBackTheFields() throws DBException {
        ChorusYcsbClient db = binding(Map.of());
        assertThat(db.insert("usertable", "user1", fields("field0", "zero", "field1", "one"))).isEqualTo(Status.OK);

        Map<String, ByteIterator> all = new HashMap<>();
        assertThat(db.read("usertable", "user1", null, all)).isEqualTo(Status.OK);
        assertThat(text(all)).isEqualTo(Map.of("field0", "zero", "field1", "one"));

        Map<String, ByteIterator> some = new HashMap<>();
        assertThat(db.read("usertable", "user1", Set.of("field1"), some)).isEqualTo(Status.OK);
        assertThat(text(some)).isEqualTo(Map.of("field1", "one"));
    }

    @Test
    void rmwUpdatesMergeFieldsAndNeverMakeSiblings() throws DBException {
        ChorusYcsbClient first = binding(Map.of());
        ChorusYcsbClient second = binding(Map.of());
        assertThat(first.insert("usertable", "user2", fields("field0", "zero", "field1", "one"))).isEqualTo(Status.OK);
        // Two YCSB threads' updates of one key, one after the other, as a zipfian run makes them on a hot key.
        for (int i = 0; i < 10; i++) {
            ChorusYcsbClient db = i % 2 == 0 ? first : second;
            assertThat(db.update("usertable", "user2", fields("field1", "v" + i))).isEqualTo(Status.OK);
            assertThat(raw.get(key("user2")).values()).as("after update %d", i).hasSize(1);
        }
        assertThat(first.update("usertable", "user2", fields("field2", "two"))).isEqualTo(Status.OK);

        Map<String, ByteIterator> read = new HashMap<>();
        assertThat(second.read("usertable", "user2", null, read)).isEqualTo(Status.OK);
        assertThat(text(read)).isEqualTo(Map.of("field0", "zero", "field1", "v9", "field2", "two"));
    }

    @Test
    void anUpdateAfterAReadOfTheKeyWritesWithThatReadAndResolvesAWriteThatRacedIn() throws DBException {
        ChorusYcsbClient mine = binding(Map.of(ChorusYcsbSettings.SIBLINGS, "merge"));
        ChorusYcsbClient other = binding(Map.of(ChorusYcsbSettings.SIBLINGS, "merge"));
        assertThat(mine.insert("usertable", "user13", fields("field0", "a", "field1", "a"))).isEqualTo(Status.OK);
        assertThat(mine.read("usertable", "user13", null, new HashMap<>())).isEqualTo(Status.OK);
        long[] before = counts();
        // Between this thread's read and its update, another thread changes the record.
        assertThat(other.update("usertable", "user13", fields("field1", "theirs"))).isEqualTo(Status.OK);
        ChorusObject between = raw.get(key("user13"));
        assertThat(mine.update("usertable", "user13", fields("field2", "mine"))).isEqualTo(Status.OK);

        ChorusObject after = raw.get(key("user13"));
        assertThat(after.values()).hasSize(1);
        // Both changes are in: the other thread's survived the write made with the older context.
        assertThat(text(FieldCodec.decode(after.value())))
                .isEqualTo(Map.of("field0", "a", "field1", "theirs", "field2", "mine"));
        // The update wrote with the read's context, not a fresh one: it made a sibling it then resolved, so the
        // key took two writes after the other thread's (a fresh read would have taken one).
        assertThat(after.context().descends(between.context())).isTrue();
        assertThat(writesSince(between, after)).isEqualTo(2);
        // Counted: two updates; one read of their own (the other thread's); three writes, one answered with the
        // sibling it then resolved.
        long[] now = counts();
        assertThat(new long[] {now[0] - before[0], now[1] - before[1], now[2] - before[2], now[3] - before[3]})
                .containsExactly(2, 1, 3, 1);
        assertThat(UpdateCounts.line(2, 1, 3, 1)).isEqualTo("chorus updates: 2 updates, 1 reads of their own,"
                + " 3 writes (1.500 per update), 1 answers with a concurrent sibling" + System.lineSeparator());
    }

    private static long[] counts() {
        return new long[] {UpdateCounts.UPDATES.sum(), UpdateCounts.READS.sum(), UpdateCounts.WRITES.sum(),
                UpdateCounts.CONFLICTS.sum()};
    }

    @Test
    void rmwUpdateOfAMissingKeyCreatesIt() throws DBException {
        ChorusYcsbClient db = binding(Map.of());
        assertThat(db.update("usertable", "user3", fields("field0", "new"))).isEqualTo(Status.OK);
        Map<String, ByteIterator> read = new HashMap<>();
        assertThat(db.read("usertable", "user3", null, read)).isEqualTo(Status.OK);
        assertThat(text(read)).isEqualTo(Map.of("field0", "new"));
    }

    @Test
    void blindUpdatesPileUpSiblings() throws DBException {
        ChorusYcsbClient db = binding(Map.of(ChorusYcsbSettings.UPDATE, "blind"));
        assertThat(db.insert("usertable", "user4", fields("field0", "a"))).isEqualTo(Status.OK);
        assertThat(db.update("usertable", "user4", fields("field0", "b"))).isEqualTo(Status.OK);
        assertThat(db.update("usertable", "user4", fields("field0", "c"))).isEqualTo(Status.OK);

        ChorusObject o = raw.get(key("user4"));
        assertThat(o.values().stream().map(v -> text(FieldCodec.decode(v)).get("field0")).collect(Collectors.toSet()))
                .isEqualTo(Set.of("a", "b", "c"));
    }

    @Test
    void readsPickOneSiblingByTheirPolicyEveryTime() throws DBException {
        // Two writers racing from one context: both writes stay, as siblings.
        ChorusObject before = raw.put(key("user5"), SiblingsFixture.A, null);
        raw.put(key("user5"), SiblingsFixture.B, before.context());
        raw.put(key("user5"), SiblingsFixture.C, before.context());
        List<byte[]> siblings = raw.get(key("user5")).values();
        assertThat(siblings).hasSize(2);
        Map<String, String> firstSibling = text(FieldCodec.decode(siblings.get(0)));

        ChorusYcsbClient first = binding(Map.of());
        ChorusYcsbClient merge = binding(Map.of(ChorusYcsbSettings.SIBLINGS, "merge"));
        for (int i = 0; i < 10; i++) {
            Map<String, ByteIterator> a = new HashMap<>();
            assertThat(first.read("usertable", "user5", null, a)).isEqualTo(Status.OK);
            assertThat(text(a)).isEqualTo(firstSibling);
            Map<String, ByteIterator> m = new HashMap<>();
            assertThat(merge.read("usertable", "user5", null, m)).isEqualTo(Status.OK);
            assertThat(text(m)).isEqualTo(Map.of("field0", "pear", "field1", "b", "field2", "c"));
        }
    }

    @Test
    void anRmwUpdateResolvesSiblingsIntoOne() throws DBException {
        ChorusObject before = raw.put(key("user6"), SiblingsFixture.A, null);
        raw.put(key("user6"), SiblingsFixture.B, before.context());
        raw.put(key("user6"), SiblingsFixture.C, before.context());
        ChorusYcsbClient merge = binding(Map.of(ChorusYcsbSettings.SIBLINGS, "merge"));
        assertThat(merge.update("usertable", "user6", fields("field3", "d"))).isEqualTo(Status.OK);

        ChorusObject after = raw.get(key("user6"));
        assertThat(after.values()).hasSize(1);
        assertThat(text(FieldCodec.decode(after.value())))
                .isEqualTo(Map.of("field0", "pear", "field1", "b", "field2", "c", "field3", "d"));
    }

    @Test
    void missingAndDeletedKeysAreNotFound() throws DBException {
        ChorusYcsbClient db = binding(Map.of());
        assertThat(db.read("usertable", "never-written", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        assertThat(db.delete("usertable", "never-written")).isEqualTo(Status.NOT_FOUND);

        assertThat(db.insert("usertable", "user7", fields("field0", "x"))).isEqualTo(Status.OK);
        assertThat(db.delete("usertable", "user7")).isEqualTo(Status.OK);
        assertThat(db.read("usertable", "user7", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
        assertThat(raw.get(key("user7")).found()).isFalse();
    }

    @Test
    void scanIsNotImplemented() throws DBException {
        Vector<HashMap<String, ByteIterator>> result = new Vector<>();
        assertThat(binding(Map.of()).scan("usertable", "user1", 10, null, result)).isEqualTo(Status.NOT_IMPLEMENTED);
        assertThat(result).isEmpty();
    }

    @Test
    void perRequestQuorumsReachTheCluster() throws DBException {
        ChorusYcsbClient all = binding(Map.of(ChorusYcsbSettings.N, "3", ChorusYcsbSettings.R, "3",
                ChorusYcsbSettings.W, "3"));
        assertThat(all.insert("usertable", "user8", fields("field0", "x"))).isEqualTo(Status.OK);
        // W above N is refused by the coordinator: proof that chorus.w is sent, and that a refusal is a status.
        ChorusYcsbClient impossible = binding(Map.of(ChorusYcsbSettings.W, "4"));
        assertThat(impossible.insert("usertable", "user9", fields("field0", "x"))).isEqualTo(Status.BAD_REQUEST);
    }

    @Test
    void bindingsOfOneJvmShareOneClientUntilTheLastCleansUp() throws DBException {
        ChorusYcsbClient a = binding(Map.of(ChorusYcsbSettings.CONNECTIONS, "1"));
        ChorusYcsbClient b = binding(Map.of(ChorusYcsbSettings.CONNECTIONS, "1"));
        ChorusYcsbSettings.Connection connection = ChorusYcsbSettings.from(properties(
                Map.of(ChorusYcsbSettings.CONNECTIONS, "1"))).connection();
        assertThat(a.client()).isSameAs(b.client());
        assertThat(SharedClients.references(connection)).isEqualTo(2);

        a.cleanup();
        assertThat(SharedClients.references(connection)).isEqualTo(1);
        assertThat(b.insert("usertable", "user10", fields("field0", "still served"))).isEqualTo(Status.OK);
        b.cleanup();
        assertThat(SharedClients.references(connection)).isZero();
    }

    @Test
    void badSettingsAndNoServerFailInit() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ChorusYcsbClient nobody = new ChorusYcsbClient();
        nobody.setProperties(props(Map.of(ChorusYcsbSettings.HOSTS, "127.0.0.1:" + closedPort)));
        assertThatThrownBy(nobody::init).isInstanceOf(DBException.class).hasMessageContaining("cannot connect");

        ChorusYcsbClient bad = new ChorusYcsbClient();
        bad.setProperties(props(Map.of(ChorusYcsbSettings.HOSTS, hosts(), ChorusYcsbSettings.UPDATE, "lww")));
        assertThatThrownBy(bad::init).isInstanceOf(DBException.class).hasMessageContaining("chorus.update");
        bad.cleanup();
    }

    @Test
    void aDeadClusterGivesErrorStatusesNotExceptions() throws DBException {
        try (EmbeddedCluster single = EmbeddedCluster.builder().nodes(1).durability(Durability.NOSYNC).partitions(16)
                .coordinator(CoordinatorConfig.defaults().withQuorum(1, 1, 1)).start()) {
            ChorusYcsbClient db = new ChorusYcsbClient();
            db.setProperties(props(Map.of(ChorusYcsbSettings.HOSTS, address(single.addresses().get(0)))));
            db.init();
            bindings.add(db);
            assertThat(db.insert("usertable", "user11", fields("field0", "x"))).isEqualTo(Status.OK);
            single.crash(0);

            List<Status> statuses = List.of(db.read("usertable", "user11", null, new HashMap<>()),
                    db.update("usertable", "user11", fields("field0", "y")),
                    db.insert("usertable", "user12", fields("field0", "y")),
                    db.delete("usertable", "user11"));
            assertThat(statuses).allSatisfy(s -> assertThat(s).isIn(Status.SERVICE_UNAVAILABLE, Status.ERROR));
        }
    }

    // ---- fixtures -----------------------------------------------------------------------------------------

    /** Records whose siblings make a merge observable: a field in two of them, and one of each alone. */
    private static final class SiblingsFixture {
        static final byte[] A = YcsbSiblingPolicyTest.record("field0", "apple");
        static final byte[] B = YcsbSiblingPolicyTest.record("field0", "banana", "field1", "b");
        static final byte[] C = YcsbSiblingPolicyTest.record("field0", "pear", "field2", "c");
    }

    private ChorusYcsbClient binding(Map<String, String> extra) throws DBException {
        ChorusYcsbClient db = new ChorusYcsbClient();
        db.setProperties(properties(extra));
        db.init();
        bindings.add(db);
        return db;
    }

    private static Properties properties(Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(extra);
        all.put(ChorusYcsbSettings.HOSTS, hosts());
        return props(all);
    }

    private static Properties props(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        return p;
    }

    private static String hosts() {
        return cluster.addresses().stream().map(YcsbChorusClientTest::address).collect(Collectors.joining(","));
    }

    private static String address(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static Map<String, ByteIterator> fields(String... namesAndValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return StringByteIterator.getByteIteratorMap(m);
    }

    private static Map<String, String> text(Map<String, ?> record) {
        Map<String, String> out = new TreeMap<>();
        record.forEach((f, v) -> out.put(f, v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                : v.toString()));
        return out;
    }

    /** Writes coordinated between two states of a key: the growth of its context's counters. */
    private static long writesSince(ChorusObject before, ChorusObject after) {
        long writes = 0;
        for (var actor : after.context().actors()) {
            writes += after.context().get(actor) - before.context().get(actor);
        }
        return writes;
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }
}
