package io.chorus.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.testkit.SimulationSeeds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The membership admin bodies (MEMBERS to TRANSFERS): round trips, the documented layout byte by byte, every cut and
 * trailing byte refused, enums, words, addresses and bounds refused as malformed, and seeded random bodies, mutated
 * bodies and garbage, which may only decode canonically or fail with MalformedEncodingException. Random values
 * follow {@code -Dchorus.seed}.
 */
@Tag(SimulationSeeds.TAG)
class MembershipBodiesTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("node-b");

    private static MembersResponse.Member member(NodeId id, MembersResponse.Status status) {
        return new MembersResponse.Member(id, status, true, "", "10.0.0.1:7400", "10.0.0.1:7401", 3, 64, 9);
    }

    /** The smallest member the layout allows: every string as short as it may be, every number 0. */
    private static MembersResponse.Member tinyMember(String name) {
        return new MembersResponse.Member(NodeId.of(name), MembersResponse.Status.UP, false, "", "", "", 0, 0, 0);
    }

    private static TransfersResponse.Transfer tinyTransfer(int partition) {
        return new TransfersResponse.Transfer(partition, TransfersResponse.Role.STRAY, TransfersResponse.State.DONE,
                List.of(), 0, 0, 0);
    }

    /** Every membership body, a few values each (the smallest items included, so count bounds are exact). */
    static Stream<Arguments> bodies() {
        return Stream.of(
                body(new MembersResponse(Optional.empty(), List.of()), MembersResponse::encode,
                        MembersResponse::decode),
                body(new MembersResponse(Optional.of(A), List.of(tinyMember("x"), tinyMember("y"))),
                        MembersResponse::encode, MembersResponse::decode),
                body(new MembersResponse(Optional.of(B), List.of(member(A, MembersResponse.Status.UP),
                        new MembersResponse.Member(B, MembersResponse.Status.DOWN, false, "eu-west-1a",
                                "[::1]:65535", "db-2.example.com:1", Long.MAX_VALUE, ProtocolLimits.MAX_PARTITIONS,
                                Long.MAX_VALUE),
                        member(NodeId.of("nœud-ü"), MembersResponse.Status.REMOVED))),
                        MembersResponse::encode, MembersResponse::decode),
                body(new RingResponse(new byte[0]), RingResponse::encode, RingResponse::decode),
                body(new RingResponse(new byte[300]), RingResponse::encode, RingResponse::decode),
                body(new JoinRequest("h:1"), JoinRequest::encode, JoinRequest::decode),
                body(new JoinRequest("db-2.example.com:7401"), JoinRequest::encode, JoinRequest::decode),
                body(new RemoveRequest(A), RemoveRequest::encode, RemoveRequest::decode),
                body(new RemoveRequest(NodeId.of("é".repeat(127))), RemoveRequest::encode, RemoveRequest::decode),
                body(new PlanResponse(Optional.empty(), 0, Optional.empty(), 0, 0, List.of(), List.of()),
                        PlanResponse::encode, PlanResponse::decode),
                body(new PlanResponse(Optional.of(A), 7, Optional.of("é".repeat(512)), -1L,
                        ProtocolLimits.MAX_PARTITIONS, List.of(new PlanResponse.Change(PlanResponse.Kind.JOIN, A),
                        new PlanResponse.Change(PlanResponse.Kind.JOIN, NodeId.of("b"))),
                        List.of(new PlanResponse.Receiver(A, 0), new PlanResponse.Receiver(NodeId.of("b"), 0))),
                        PlanResponse::encode, PlanResponse::decode),
                body(new PlanResponse(Optional.of(B), Long.MAX_VALUE, Optional.empty(), 0x0123456789ABCDEFL, 21,
                        List.of(new PlanResponse.Change(PlanResponse.Kind.LEAVE, A),
                                new PlanResponse.Change(PlanResponse.Kind.REMOVE, B)),
                        List.of(new PlanResponse.Receiver(B, 43))), PlanResponse::encode, PlanResponse::decode),
                body(new CommitRequest(CommitRequest.CURRENT_PLAN), CommitRequest::encode, CommitRequest::decode),
                body(new CommitRequest(Long.MIN_VALUE), CommitRequest::encode, CommitRequest::decode),
                body(new CommitResponse(0), CommitResponse::encode, CommitResponse::decode),
                body(new CommitResponse(Long.MAX_VALUE), CommitResponse::encode, CommitResponse::decode),
                body(new TransfersResponse(0, 0, List.of()), TransfersResponse::encode, TransfersResponse::decode),
                body(new TransfersResponse(3, 1, List.of(tinyTransfer(0), tinyTransfer(1))),
                        TransfersResponse::encode, TransfersResponse::decode),
                body(new TransfersResponse(Long.MAX_VALUE, ProtocolLimits.MAX_PARTITIONS, List.of(
                        new TransfersResponse.Transfer(ProtocolLimits.MAX_PARTITION, TransfersResponse.Role.RECEIVE,
                                TransfersResponse.State.SYNCING, List.of(A, B), 1_000, 1L << 40, 3),
                        new TransfersResponse.Transfer(7, TransfersResponse.Role.RELEASE,
                                TransfersResponse.State.WAITING, List.of(B), 0, 0, Long.MAX_VALUE))),
                        TransfersResponse::encode, TransfersResponse::decode),
                body(new BackupRequest("/"), BackupRequest::encode, BackupRequest::decode),
                body(new BackupRequest("/var/backups/chorus 2024/節点"), BackupRequest::encode, BackupRequest::decode),
                body(new BackupResponse("/b/node-1", 0, 0), BackupResponse::encode, BackupResponse::decode),
                body(new BackupResponse("/b/node-1", Long.MAX_VALUE, Long.MAX_VALUE), BackupResponse::encode,
                        BackupResponse::decode));
    }

    @Test
    void backupBodiesMatchTheDocumentedLayoutAndRefuseWhatIsNoAbsolutePath() {
        assertThat(hex(new BackupRequest("/b").encode())).isEqualTo(str("/b"));
        assertThat(hex(new BackupResponse("/b/n1", 300, 2).encode())).isEqualTo(str("/b/n1") + "ac02" + "02");
        for (String bad : new String[] {"", "backups", "/a\u0000b", "/a\nb"}) {
            assertThatThrownBy(() -> BackupRequest.decode(bytes(str(bad)))).as("'%s'", bad)
                    .isInstanceOf(MalformedEncodingException.class);
            assertThatThrownBy(() -> new BackupRequest(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> BackupRequest.decode(bytes(str("/" + "x".repeat(BackupRequest.MAX_DIRECTORY_BYTES)))))
                .isInstanceOf(MalformedEncodingException.class);
        assertThatThrownBy(() -> new BackupResponse("/b", -1, 0)).isInstanceOf(IllegalArgumentException.class);
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

    // ---- the documented layout ----------------------------------------------------------------------------

    @Test
    void fixturesMatchTheDocumentedLayout() {
        assertThat(hex(new MembersResponse(Optional.empty(), List.of()).encode())).isEqualTo("00" + "00");
        assertThat(hex(new MembersResponse(Optional.of(A), List.of(new MembersResponse.Member(A,
                MembersResponse.Status.UP, true, "z", "h:1", "h:2", 1, 300, 3))).encode()))
                .isEqualTo(str("a") + "01" + str("a") + str("up") + "01" + str("z") + str("h:1") + str("h:2")
                        + "01" + "ac02" + "03");
        assertThat(hex(new RingResponse(new byte[] {9, 8}).encode())).isEqualTo("02" + "0908");
        assertThat(hex(new JoinRequest("h:7400").encode())).isEqualTo(str("h:7400"));
        assertThat(hex(new RemoveRequest(NodeId.of("n1")).encode())).isEqualTo(str("n1"));
        assertThat(hex(new PlanResponse(Optional.of(A), 5, Optional.of("busy"), 0x0102030405060708L, 3,
                List.of(new PlanResponse.Change(PlanResponse.Kind.JOIN, NodeId.of("b"))),
                List.of(new PlanResponse.Receiver(NodeId.of("b"), 3))).encode()))
                .isEqualTo(str("a") + "05" + str("busy") + "0102030405060708" + "03" + "01" + str("join") + str("b")
                        + "01" + str("b") + "03");
        assertThat(hex(new PlanResponse(Optional.empty(), 1, Optional.empty(), 0, 0, List.of(), List.of())
                .encode())).isEqualTo("00" + "01" + "00" + "0000000000000000" + "00" + "00" + "00");
        assertThat(hex(new CommitRequest(0x0102030405060708L).encode())).isEqualTo("0102030405060708");
        assertThat(hex(new CommitRequest(CommitRequest.CURRENT_PLAN).encode())).isEqualTo("0000000000000000");
        assertThat(hex(new CommitResponse(300).encode())).isEqualTo("ac02");
        assertThat(hex(new TransfersResponse(7, 2, List.of(new TransfersResponse.Transfer(300,
                TransfersResponse.Role.RECEIVE, TransfersResponse.State.SYNCING, List.of(A), 10, 1000, 1)))
                .encode())).isEqualTo("07" + "02" + "01" + "ac02" + str("receive") + str("syncing") + "01" + str("a")
                        + "0a" + "e807" + "01");
    }

    @Test
    void anEmptyClaimantOrProblemOnTheWireIsNone() {
        MembersResponse members = MembersResponse.decode(bytes("00" + "00"));
        assertThat(members.claimant()).isEmpty();
        PlanResponse plan = PlanResponse.decode(bytes("00" + "01" + "00" + "0000000000000000" + "00" + "00" + "00"));
        assertThat(plan.claimant()).isEmpty();
        assertThat(plan.problem()).isEmpty();
        assertThat(plan.committable()).as("nothing to do").isFalse();
        assertThatThrownBy(() -> new PlanResponse(Optional.empty(), 0, Optional.of(""), 0, 0, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        PlanResponse ready = new PlanResponse(Optional.of(A), 1, Optional.empty(), 9, 1,
                List.of(new PlanResponse.Change(PlanResponse.Kind.LEAVE, B)), List.of());
        assertThat(ready.committable()).isTrue();
    }

    // ---- what does not decode -----------------------------------------------------------------------------

    @Test
    void enumWordsOtherThanTheListedLowercaseOnesAreMalformed() {
        for (String status : new String[] {"UP", "Up", "upp", "uq", "gone", "up "}) {
            byte[] body = bytes("00" + "01" + str("a") + str(status) + "01" + "00" + "00" + "00" + "01" + "02" + "03");
            assertThatThrownBy(() -> MembersResponse.decode(body)).as(status)
                    .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("member status");
        }
        byte[] member = bytes("00" + "01" + str("a") + str("up") + "01" + "00" + "00" + "00" + "01" + "02" + "03");
        assertThat(MembersResponse.decode(member).members()).singleElement()
                .satisfies(m -> assertThat(m.status()).isEqualTo(MembersResponse.Status.UP));
        byte[] plan = bytes("00" + "01" + "00" + "0000000000000000" + "00" + "01" + str("add") + str("b") + "00");
        assertThatThrownBy(() -> PlanResponse.decode(plan)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("change kind");
        String transfer = "00" + "00" + "01" + "05";
        assertThatThrownBy(() -> TransfersResponse.decode(bytes(transfer + str("sends") + str("done") + "00"
                + "000000"))).isInstanceOf(MalformedEncodingException.class).hasMessageContaining("role");
        assertThatThrownBy(() -> TransfersResponse.decode(bytes(transfer + str("stray") + str("finished") + "00"
                + "000000"))).isInstanceOf(MalformedEncodingException.class).hasMessageContaining("state");
        // an enum word longer than any value may be is refused before it is compared
        assertThatThrownBy(() -> TransfersResponse.decode(bytes(transfer + str("x".repeat(33)) + str("done") + "00"
                + "000000"))).isInstanceOf(MalformedEncodingException.class);
    }

    @Test
    void aliveIsZeroOrOne() {
        byte[] body = bytes("00" + "01" + str("a") + str("up") + "02" + "00" + "00" + "00" + "01" + "02" + "03");
        assertThatThrownBy(() -> MembersResponse.decode(body)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("alive");
    }

    @Test
    void namesWordsAndAddressesOutsideTheirRulesAreMalformed() {
        for (String seed : new String[] {"", "host", "host:", ":7400", "host:0", "host:65536", "host:123456",
                "host:74a0", "a b:7400", "h\t:1", "x".repeat(251) + ":7400"}) {
            assertThatThrownBy(() -> new JoinRequest(seed)).as(seed).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> JoinRequest.decode(bytes(str(seed)))).as(seed)
                    .isInstanceOf(MalformedEncodingException.class);
        }
        assertThat(new JoinRequest("[::1]:7400").seed()).isEqualTo("[::1]:7400");
        assertThatThrownBy(() -> RemoveRequest.decode(bytes("00"))).isInstanceOf(MalformedEncodingException.class);
        assertThatThrownBy(() -> RemoveRequest.decode(bytes(str("a b"))))
                .isInstanceOf(MalformedEncodingException.class);
        // 256 bytes of name: over the bound before it is read
        assertThatThrownBy(() -> RemoveRequest.decode(bytes("8002" + "61".repeat(256))))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("over the maximum");
        // invalid UTF-8 is refused, not replaced
        assertThatThrownBy(() -> RemoveRequest.decode(bytes("02" + "c328"))).isInstanceOf(
                MalformedEncodingException.class).hasMessageContaining("UTF-8");
        // a zone with a space, a client address without a port
        String head = "00" + "01" + str("a") + str("up") + "01";
        String tail = "01" + "02" + "03";
        assertThatThrownBy(() -> MembersResponse.decode(bytes(head + str("eu west") + "00" + "00" + tail)))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("zone");
        assertThatThrownBy(() -> MembersResponse.decode(bytes(head + "00" + str("10.0.0.1") + "00" + tail)))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("client address");
        assertThatThrownBy(() -> new MembersResponse.Member(A, MembersResponse.Status.UP, true, "", "", "h:0", 0, 0,
                0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peer address");
    }

    @Test
    void theProblemIsAtMost1024BytesOfText() {
        String at = "é".repeat(512);
        assertThat(new PlanResponse(Optional.empty(), 0, Optional.of(at), 0, 0, List.of(), List.of()).problem())
                .hasValue(at);
        assertThatThrownBy(() -> new PlanResponse(Optional.empty(), 0, Optional.of(at + "x"), 0, 0, List.of(),
                List.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
        assertThatThrownBy(() -> new PlanResponse(Optional.empty(), 0, Optional.of("\uD800"), 0, 0, List.of(),
                List.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate");
        // length 1025 = 0x81 0x08
        byte[] over = bytes("00" + "00" + "8108" + "61".repeat(1025) + "0000000000000000" + "00" + "00" + "00");
        assertThatThrownBy(() -> PlanResponse.decode(over)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("problem");
    }

    @Test
    void numbersOutOfRangeAreMalformed() {
        // member partitions 65537 = 0x81 0x80 0x04
        byte[] member = bytes("00" + "01" + str("a") + str("up") + "01" + "00" + "00" + "00" + "01" + "818004" + "03");
        assertThatThrownBy(() -> MembersResponse.decode(member)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("partitions");
        // a generation of 2^63
        byte[] generation = bytes("00" + "01" + str("a") + str("up") + "01" + "00" + "00" + "00"
                + "80808080808080808001" + "00" + "00");
        assertThatThrownBy(() -> MembersResponse.decode(generation)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("generation");
        // transfer partition 65536 = 0x80 0x80 0x04
        byte[] transfer = bytes("00" + "00" + "01" + "808004" + str("stray") + str("done") + "00" + "000000");
        assertThatThrownBy(() -> TransfersResponse.decode(transfer)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("partition");
        // a non-canonical varint: ringVersion 1 as 0x81 0x00
        assertThatThrownBy(() -> CommitResponse.decode(bytes("8100"))).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("shortest");
        assertThatThrownBy(() -> new CommitResponse(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransfersResponse(0, ProtocolLimits.MAX_PARTITIONS + 1, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PlanResponse.Receiver(A, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransfersResponse.Transfer(0, TransfersResponse.Role.STRAY,
                TransfersResponse.State.DONE, List.of(), 0, -1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytesMoved");
    }

    @Test
    void countsThatCannotFitAndRepeatedNamesAreMalformed() {
        // 2 members claimed, bytes for 1
        byte[] short1 = bytes("00" + "02" + str("a") + str("up") + "01" + "00" + "00" + "00" + "01" + "02" + "03");
        assertThatThrownBy(() -> MembersResponse.decode(short1)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("member count");
        // a count of 2^63
        assertThatThrownBy(() -> TransfersResponse.decode(bytes("00" + "00" + "80808080808080808001")))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("transfer count");
        String one = str("a") + str("up") + "01" + "00" + "00" + "00" + "01" + "02" + "03";
        assertThatThrownBy(() -> MembersResponse.decode(bytes("00" + "02" + one + one)))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("twice");
        String receiver = str("b") + "03";
        byte[] plan = bytes("00" + "01" + "00" + "0000000000000000" + "00" + "00" + "02" + receiver + receiver);
        assertThatThrownBy(() -> PlanResponse.decode(plan)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("twice");
        // a peer count over what is left
        byte[] peers = bytes("00" + "00" + "01" + "00" + str("stray") + str("done") + "05" + str("a") + "000000");
        assertThatThrownBy(() -> TransfersResponse.decode(peers)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("peer count");
    }

    // ---- seeded random bodies -----------------------------------------------------------------------------

    @Test
    void randomBodiesRoundTrip() {
        SimulationSeeds.forEachSeed(50, seed -> {
            for (RandomMembershipBodies.Sample s : new RandomMembershipBodies(seed, false).all()) {
                Object back = s.decode().apply(s.body());
                assertThat(back).as(s.name()).isEqualTo(s.value());
                assertThat(MembershipDecoders.reencodeOrNull(s.decoder(), s.body())).as(s.name())
                        .isEqualTo(s.body());
            }
        });
    }

    @Test
    void everyCutAndTrailingBytesOfRandomBodiesAreRejected() {
        SimulationSeeds.forEachSeed(20, seed -> {
            Random random = new Random(~seed);
            for (RandomMembershipBodies.Sample s : new RandomMembershipBodies(seed, true).all()) {
                byte[] body = s.body();
                for (int cut = 0; cut < body.length; cut++) {
                    byte[] truncated = Arrays.copyOf(body, cut);
                    assertThatThrownBy(() -> s.decode().apply(truncated)).as("%s cut to %d of %d bytes: %s",
                            s.name(), cut, body.length, HEX.formatHex(body))
                            .isInstanceOf(MalformedEncodingException.class);
                }
                byte[] padded = Arrays.copyOf(body, body.length + 1 + random.nextInt(3));
                padded[body.length] = (byte) random.nextInt(256);
                assertThatThrownBy(() -> s.decode().apply(padded)).as("%s with trailing bytes", s.name())
                        .isInstanceOf(MalformedEncodingException.class);
            }
        });
    }

    /** A valid body with bytes changed either does not decode or decodes to exactly that body. */
    @Test
    void mutatedBodiesAreRejectedOrDecodeCanonically() {
        SimulationSeeds.forEachSeed(30, seed -> {
            Random random = new Random(seed);
            for (RandomMembershipBodies.Sample s : new RandomMembershipBodies(seed, true).all()) {
                for (int i = 0; i < 60; i++) {
                    byte[] mutated = s.body().clone();
                    if (mutated.length == 0) {
                        break;
                    }
                    for (int k = 1 + random.nextInt(2); k > 0; k--) {
                        mutated[random.nextInt(mutated.length)] ^= (byte) (1 + random.nextInt(255));
                    }
                    byte[] back = MembershipDecoders.reencodeOrNull(s.decoder(), mutated);
                    if (back != null) {
                        assertThat(back).as("%s mutated to %s", s.name(), HEX.formatHex(mutated)).isEqualTo(mutated);
                    }
                }
            }
        });
    }

    /** What the fuzz test checks, on seeded garbage: only MalformedEncodingException, and canonical when accepted. */
    @Test
    void randomGarbageIsRejectedOrDecodesCanonically() {
        SimulationSeeds.forEachSeed(3, seed -> {
            Random random = new Random(seed);
            for (int i = 0; i < 2_000; i++) {
                byte[] garbage = new byte[random.nextInt(40)];
                random.nextBytes(garbage);
                if (garbage.length > 0 && random.nextBoolean()) {
                    garbage[0] = (byte) random.nextInt(3); // a small length or count more often
                }
                for (int d = 0; d < MembershipDecoders.ALL.size(); d++) {
                    byte[] back = MembershipDecoders.reencodeOrNull(d, garbage);
                    if (back != null) {
                        assertThat(back).as("decoder %s on %s", MembershipDecoders.NAMES.get(d),
                                HEX.formatHex(garbage)).isEqualTo(garbage);
                    }
                }
            }
        });
    }

    /** The fuzz test's seed inputs are valid bodies, so mutation starts from messages that decode. */
    @Test
    void theFuzzSeedsDecode() throws Exception {
        String dir = "MembershipBodiesFuzzTestInputs/anyBodyDecodesCanonicallyOrIsMalformed/";
        for (String name : MembershipDecoders.NAMES) {
            byte[] input;
            try (var in = MembershipBodiesTest.class.getResourceAsStream(dir + name)) {
                assertThat(in).as(name).isNotNull();
                input = in.readAllBytes();
            }
            assertThat(input[0]).as(name).isEqualTo((byte) MembershipDecoders.NAMES.indexOf(name));
            byte[] body = Arrays.copyOfRange(input, 1, input.length);
            assertThat(MembershipDecoders.reencodeOrNull(input[0], body)).as(name).isEqualTo(body);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    private static byte[] bytes(String hex) {
        return HEX.parseHex(hex);
    }

    /** A string as the wire carries it: its UTF-8 length as a varint, then its bytes, in hex. */
    private static String str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer length = ByteBuffer.allocate(Varint.size(utf8.length));
        Varint.write(length, utf8.length);
        return HEX.formatHex(length.array()) + HEX.formatHex(utf8);
    }
}
