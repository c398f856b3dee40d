package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import io.chorus.storage.StorageEngine;
import io.chorus.testkit.SimulationSeeds;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The anti-entropy messages (0x30xx): round trips of random valid messages, byte fixtures, and rejection of every
 * truncation, trailing bytes, counts over their limits, unordered or out-of-range indexes, bad statuses and
 * resolutions, and replies that do not fit their request. Random values follow {@code -Dchorus.seed}.
 */
@Tag(SimulationSeeds.TAG)
class AeMessagesTest {

    private static final int MAX_KEY = StorageEngine.MAX_KEY_LENGTH;
    private static final HexFormat HEX = HexFormat.of();

    // ---- random valid messages ----------------------------------------------------------------------------

    /** One message: its value, opcode, encoder and decoder (a reply's decoder knows its request). */
    private record Codec<T>(String name, int opcode, T value, Function<T, Message> encode,
                            Function<byte[], T> decode) {

        byte[] body() {
            return encode.apply(value).body();
        }

        void assertRoundTrips() {
            Message m = encode.apply(value);
            assertThat(m.opcode()).as(name).isEqualTo(opcode);
            T back = decode.apply(m.body());
            assertThat(sameFields(back, value)).as("%s decoded to %s", name, back).isTrue();
            assertThat(encode.apply(back).body()).as(name + " re-encoded").isEqualTo(m.body());
        }

        /** Decodes {@code body} and encodes it again, or null when it is rejected. */
        byte[] reencodeOrNull(byte[] body) {
            try {
                return encode.apply(decode.apply(body)).body();
            } catch (MalformedEncodingException rejected) {
                return null;
            }
        }
    }

    /** Random valid field values; {@code small} keeps counts and lengths low (for the per-byte truncation test). */
    private static final class Gen {
        private final Random random;
        private final boolean small;

        Gen(long seed, boolean small) {
            this.random = new Random(seed);
            this.small = small;
        }

        int partition() {
            return switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> StorageEngine.MAX_PARTITION;
                default -> random.nextInt(StorageEngine.MAX_PARTITION + 1);
            };
        }

        long nonNegative() {
            return switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> Long.MAX_VALUE;
                case 2 -> random.nextInt(300);
                default -> random.nextLong() >>> 1;
            };
        }

        int bits(int min) {
            return min + random.nextInt(AeLimits.MAX_BITS - min + 1);
        }

        /** 1 to {@code max} distinct indexes below {@code 2^bits}, ascending. */
        int[] ascending(int bits, int max) {
            int space = 1 << bits;
            int count = 1 + random.nextInt(Math.min(small ? 6 : max, space));
            if (random.nextInt(6) == 0 && !small) {
                count = Math.min(max, space); // at the limit, or every index there is
            }
            return random.ints(0, space).distinct().limit(count).sorted().toArray();
        }

        int count(int max) {
            if (small) {
                return 1 + random.nextInt(4);
            }
            return random.nextInt(8) == 0 ? max : 1 + random.nextInt(random.nextBoolean() ? 8 : max);
        }

        byte[] bytes(int length) {
            byte[] b = new byte[length];
            random.nextBytes(b);
            return b;
        }

        byte[] key() {
            return bytes(!small && random.nextInt(10) == 0 ? MAX_KEY : 1 + random.nextInt(12));
        }

        List<byte[]> keys(int count) {
            List<byte[]> keys = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                keys.add(key());
            }
            return keys;
        }

        /** A few writes by a few actors, some replacing what was there, some tombstones. */
        SiblingSet set() {
            SiblingSet s = SiblingSet.empty();
            int writes = random.nextInt(small ? 3 : 5);
            for (int i = 0; i < writes; i++) {
                ActorId actor = ActorId.of("n" + random.nextInt(3), random.nextInt(2));
                VersionVector context = random.nextBoolean() ? VersionVector.empty() : s.context();
                byte[] value = random.nextInt(4) == 0 ? null : bytes(random.nextInt(small ? 4 : 40));
                s = s.update(context, actor, value, random.nextLong() >>> 23);
            }
            return s;
        }

        List<AeEntry> entries(List<byte[]> keys) {
            List<AeEntry> out = new ArrayList<>();
            for (byte[] key : keys) {
                out.add(new AeEntry(key, set()));
            }
            return out;
        }

        long[] hashes(int count) {
            long[] out = new long[count];
            for (int i = 0; i < count; i++) {
                out[i] = random.nextInt(5) == 0 ? 0 : random.nextLong();
            }
            return out;
        }

        AeStatus status() {
            AeStatus[] all = AeStatus.values();
            return random.nextInt(4) == 0 ? all[1 + random.nextInt(all.length - 1)] : AeStatus.OK;
        }

        boolean ok(AeStatus status) {
            return status == AeStatus.OK;
        }

        /** A request and a reply of every message. */
        List<Codec<?>> messages() {
            List<Codec<?>> out = new ArrayList<>();

            AeRoot root = new AeRoot(partition(), nonNegative());
            out.add(new Codec<>("AE_ROOT", 0x3001, root, AeRoot::encode, AeRoot::decode));
            AeStatus s = status();
            AeRoot.Reply rootReply = ok(s) ? new AeRoot.Reply(s, bits(0), nonNegative(), random.nextLong())
                    : AeRoot.Reply.of(s);
            out.add(new Codec<>("AE_ROOT reply", 0x3001, rootReply, AeRoot.Reply::encode, AeRoot.Reply::decode));

            int b = bits(1);
            int pb = random.nextInt(b);
            AeHashes hashes = new AeHashes(partition(), b, pb, ascending(pb, AeLimits.MAX_PARENTS));
            out.add(new Codec<>("AE_HASHES", 0x3002, hashes, AeHashes::encode, AeHashes::decode));
            s = status();
            AeHashes.Reply hashesReply = ok(s) ? new AeHashes.Reply(s, hashes(hashes.childCount()))
                    : AeHashes.Reply.of(s);
            out.add(new Codec<>("AE_HASHES reply", 0x3002, hashesReply, AeHashes.Reply::encode,
                    body -> AeHashes.Reply.decode(body, hashes)));

            int kb = bits(1);
            int maxBytes = random.nextBoolean() ? 1 + random.nextInt(AeLimits.MAX_REPLY_BYTES)
                    : random.nextBoolean() ? 1 : AeLimits.MAX_REPLY_BYTES;
            byte[] resumeAfter = random.nextBoolean() ? new byte[0] : key();
            AeKeys keys = new AeKeys(partition(), kb, maxBytes, resumeAfter, ascending(kb, AeLimits.MAX_SEGMENTS));
            out.add(new Codec<>("AE_KEYS", 0x3003, keys, AeKeys::encode, AeKeys::decode));
            s = status();
            AeKeys.Reply keysReply = ok(s) ? new AeKeys.Reply(s, random.nextBoolean(),
                    entries(keys(count(AeLimits.MAX_KEYS) - 1))) : AeKeys.Reply.of(s);
            out.add(new Codec<>("AE_KEYS reply", 0x3003, keysReply, AeKeys.Reply::encode, AeKeys.Reply::decode));

            AeFetch fetch = new AeFetch(partition(), keys(count(AeLimits.MAX_KEYS)));
            out.add(new Codec<>("AE_FETCH", 0x3004, fetch, AeFetch::encode, AeFetch::decode));
            int answered = 1 + random.nextInt(fetch.keys().size());
            AeFetch.Reply fetchReply = new AeFetch.Reply(entries(fetch.keys().subList(0, answered)));
            out.add(new Codec<>("AE_FETCH reply", 0x3004, fetchReply, AeFetch.Reply::encode,
                    body -> AeFetch.Reply.decode(body, fetch)));

            AePush push = new AePush(partition(), entries(keys(count(AeLimits.MAX_KEYS))));
            out.add(new Codec<>("AE_PUSH", 0x3005, push, AePush::encode, AePush::decode));
            AePush.Reply pushReply = new AePush.Reply(random.nextInt(push.entries().size() + 1));
            out.add(new Codec<>("AE_PUSH reply", 0x3005, pushReply, AePush.Reply::encode,
                    body -> AePush.Reply.decode(body, push)));

            AeStable stable = new AeStable(partition(), nonNegative(), keys(count(AeLimits.MAX_KEYS)));
            out.add(new Codec<>("AE_STABLE", 0x3006, stable, AeStable::encode, AeStable::decode));
            s = status();
            AeStable.Reply stableReply = ok(s) ? new AeStable.Reply(s, nonNegative(), hashes(stable.keys().size()))
                    : AeStable.Reply.of(s);
            out.add(new Codec<>("AE_STABLE reply", 0x3006, stableReply, AeStable.Reply::encode,
                    body -> AeStable.Reply.decode(body, stable)));

            List<AePurge.Entry> targets = new ArrayList<>();
            for (byte[] key : keys(count(AeLimits.MAX_KEYS))) {
                targets.add(new AePurge.Entry(key, random.nextLong()));
            }
            AePurge purge = new AePurge(partition(), nonNegative(), targets);
            out.add(new Codec<>("AE_PURGE", 0x3007, purge, AePurge::encode, AePurge::decode));
            s = status();
            AePurge.Reply purgeReply = ok(s) ? new AePurge.Reply(s, random.nextInt(targets.size() + 1))
                    : AePurge.Reply.of(s);
            out.add(new Codec<>("AE_PURGE reply", 0x3007, purgeReply, AePurge.Reply::encode,
                    body -> AePurge.Reply.decode(body, purge)));
            return out;
        }
    }

    @Test
    void randomMessagesRoundTrip() {
        SimulationSeeds.forEachSeed(50, seed -> new Gen(seed, false).messages().forEach(Codec::assertRoundTrips));
    }

    @Test
    void everyTruncationAndTrailingByteIsRejected() {
        SimulationSeeds.forEachSeed(30, seed -> {
            Random random = new Random(~seed);
            for (Codec<?> c : new Gen(seed, true).messages()) {
                byte[] body = c.body();
                for (int cut = 0; cut < body.length; cut++) {
                    byte[] truncated = Arrays.copyOf(body, cut);
                    assertThatThrownBy(() -> c.decode().apply(truncated)).as("%s cut to %d of %d bytes: %s",
                            c.name(), cut, body.length, HEX.formatHex(body))
                            .isInstanceOf(MalformedEncodingException.class);
                }
                byte[] padded = Arrays.copyOf(body, body.length + 1 + random.nextInt(3));
                padded[body.length] = (byte) random.nextInt(256);
                assertThatThrownBy(() -> c.decode().apply(padded)).as("%s with trailing bytes", c.name())
                        .isInstanceOf(MalformedEncodingException.class);
            }
        });
    }

    /** A valid body with one byte changed either does not decode or decodes to exactly that body. */
    @Test
    void mutatedBodiesAreRejectedOrDecodeCanonically() {
        SimulationSeeds.forEachSeed(30, seed -> {
            Random random = new Random(seed);
            for (Codec<?> c : new Gen(seed, true).messages()) {
                byte[] body = c.body();
                for (int i = 0; i < 40; i++) {
                    byte[] mutated = body.clone();
                    mutated[random.nextInt(mutated.length)] ^= (byte) (1 + random.nextInt(255));
                    byte[] back = c.reencodeOrNull(mutated);
                    if (back != null) {
                        assertThat(back).as("%s mutated to %s", c.name(), HEX.formatHex(mutated)).isEqualTo(mutated);
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
            for (int i = 0; i < 5_000; i++) {
                byte[] garbage = new byte[random.nextInt(40)];
                random.nextBytes(garbage);
                if (garbage.length > 0 && random.nextBoolean()) {
                    garbage[0] = (byte) random.nextInt(4); // a valid status or small partition more often
                }
                for (int d = 0; d < AeDecoders.ALL.size(); d++) {
                    byte[] back = AeDecoders.reencodeOrNull(d, garbage);
                    if (back != null) {
                        assertThat(back).as("decoder %d on %s", d, HEX.formatHex(garbage)).isEqualTo(garbage);
                    }
                }
            }
        });
    }

    /** The fuzz test's seed inputs are valid bodies, so mutation starts from messages that decode. */
    @Test
    void theFuzzSeedsDecode() throws Exception {
        String dir = "AeMessagesFuzzTestInputs/anyBodyDecodesCanonicallyOrIsMalformed/";
        String[] names = {"root", "root_reply", "hashes", "hashes_reply", "keys", "keys_reply", "fetch", "fetch_reply",
                "push", "push_reply", "stable", "stable_reply", "purge", "purge_reply"};
        for (String name : names) {
            byte[] input;
            try (var in = AeMessagesTest.class.getResourceAsStream(dir + name)) {
                assertThat(in).as(name).isNotNull();
                input = in.readAllBytes();
            }
            byte[] body = Arrays.copyOfRange(input, 1, input.length);
            assertThat(AeDecoders.reencodeOrNull(input[0], body)).as(name).isEqualTo(body);
        }
    }

    // ---- the documented layout ----------------------------------------------------------------------------

    @Test
    void fixturesMatchTheDocumentedLayout() {
        assertThat(hex(new AeRoot(300, 7).encode())).isEqualTo("ac02" + "07");
        assertThat(hex(new AeRoot.Reply(AeStatus.OK, 10, 1000, 0x0102030405060708L).encode()))
                .isEqualTo("00" + "0a" + "e807" + "0102030405060708");
        assertThat(hex(AeRoot.Reply.of(AeStatus.RING_DIFFERS).encode())).isEqualTo("03" + "00" + "00"
                + "0000000000000000");

        AeHashes hashes = new AeHashes(1, 12, 8, new int[] {3, 200});
        assertThat(hex(hashes.encode())).isEqualTo("01" + "0c" + "08" + "02" + "03" + "c801");
        assertThat(hex(AeHashes.Reply.of(AeStatus.RESOLUTION).encode())).isEqualTo("02");

        assertThat(hex(new AeKeys(2, 8, 65536, new byte[0], new int[] {5}).encode()))
                .isEqualTo("02" + "08" + "808004" + "00" + "01" + "05");
        assertThat(hex(new AeKeys.Reply(AeStatus.OK, true, List.of(new AeEntry(new byte[] {'k'},
                SiblingSet.empty()))).encode())).isEqualTo("00" + "01" + "01" + "016b" + "03010000");

        AeFetch fetch = new AeFetch(0, List.of(new byte[] {'a'}, new byte[] {'b'}));
        assertThat(hex(fetch.encode())).isEqualTo("00" + "02" + "0161" + "0162");
        assertThat(hex(new AeFetch.Reply(List.of(new AeEntry(new byte[] {'a'}, SiblingSet.empty()))).encode()))
                .isEqualTo("01" + "0161" + "03010000");

        assertThat(hex(new AePush(5, List.of(new AeEntry(new byte[] {'a'}, SiblingSet.empty()))).encode()))
                .isEqualTo("05" + "01" + "0161" + "03010000");
        assertThat(hex(new AePush.Reply(1).encode())).isEqualTo("01");

        assertThat(hex(new AeStable(9, 4, List.of(new byte[] {'a'})).encode())).isEqualTo("09" + "04" + "01" + "0161");
        assertThat(hex(new AeStable.Reply(AeStatus.OK, 2, new long[] {-1}).encode()))
                .isEqualTo("00" + "02" + "01" + "ffffffffffffffff");

        assertThat(hex(new AePurge(9, 4, List.of(new AePurge.Entry(new byte[] {'a'}, 0x10))).encode()))
                .isEqualTo("09" + "04" + "01" + "0161" + "0000000000000010");
        assertThat(hex(new AePurge.Reply(AeStatus.OK, 1).encode())).isEqualTo("00" + "01");
    }

    @Test
    void childrenAreAtMostFourLevelsBelowTheirParentsAndNeverBelowTheLeaves() {
        AeHashes wide = new AeHashes(0, 24, 4, new int[] {0, 15});
        assertThat(wide.childBits()).isEqualTo(8);
        assertThat(wide.fanout()).isEqualTo(16);
        assertThat(wide.childCount()).isEqualTo(32);
        assertThat(wide.child(1, 3)).isEqualTo(15 * 16 + 3);

        AeHashes nearLeaves = new AeHashes(0, 10, 8, new int[] {1, 3});
        assertThat(nearLeaves.childBits()).isEqualTo(10);
        assertThat(nearLeaves.fanout()).isEqualTo(4);
        assertThat(nearLeaves.childCount()).isEqualTo(8);
        assertThat(nearLeaves.child(1, 2)).isEqualTo(3 << 2 | 2);

        AeHashes root = new AeHashes(0, 1, 0, new int[] {0});
        assertThat(root.fanout()).isEqualTo(2);
    }

    // ---- rejection ----------------------------------------------------------------------------------------

    @Test
    void countsOverTheirLimitsAreRejected() {
        // At the limit: decodes.
        assertThat(AeHashes.decode(indexes(new BodyWriter(8).varint(0).varint(10).varint(9), 256)).parents())
                .hasSize(256);
        assertThat(AeFetch.decode(keys(new BodyWriter(8).varint(0), 1024)).keys()).hasSize(1024);
        // One over, and none at all.
        assertMalformed(() -> AeHashes.decode(indexes(new BodyWriter(8).varint(0).varint(10).varint(9), 257)),
                "parent count = 257");
        assertMalformed(() -> AeHashes.decode(indexes(new BodyWriter(8).varint(0).varint(10).varint(9), 0)),
                "parent count = 0");
        BodyWriter keysHead = new BodyWriter(8).varint(0).varint(10).varint(100).bytes(new byte[0]);
        assertMalformed(() -> AeKeys.decode(indexes(keysHead, 257)), "segment count = 257");
        assertMalformed(() -> AeKeys.decode(new BodyWriter(8).varint(0).varint(10).varint(100).bytes(new byte[0])
                .varint(0).toArray()), "segment count = 0");
        assertMalformed(() -> AeFetch.decode(keys(new BodyWriter(8).varint(0), 1025)), "key count = 1025");
        assertMalformed(() -> AeFetch.decode(keys(new BodyWriter(8).varint(0), 0)), "key count = 0");
        assertMalformed(() -> AeStable.decode(keys(new BodyWriter(8).varint(0).varint(1), 1025)),
                "key count = 1025");
        BodyWriter push = new BodyWriter(8).varint(0).varint(1025);
        BodyWriter purge = new BodyWriter(8).varint(0).varint(1).varint(1025);
        for (int i = 0; i < 1025; i++) {
            PeerFields.siblingSet(push.bytes(new byte[] {'k'}), SiblingSet.empty());
            purge.bytes(new byte[] {'k'}).fixed64(i);
        }
        assertMalformed(() -> AePush.decode(push.toArray()), "entry count = 1025");
        assertMalformed(() -> AePurge.decode(purge.toArray()), "entry count = 1025");
        // Counts that lie about what follows fail before anything is allocated for them.
        assertMalformed(() -> AeKeys.Reply.decode(new BodyWriter(8).u8(0).u8(0).varint(1L << 40).toArray()),
                "cannot fit");
        assertMalformed(() -> AeFetch.decode(new BodyWriter(8).varint(0).varint(1000).bytes(new byte[] {'k'})
                .toArray()), "cannot fit");
        assertMalformed(() -> AeStable.Reply.decode(new BodyWriter(8).u8(0).varint(0).varint(Integer.MAX_VALUE)
                .toArray(), AeDecoders.STABLE), "cannot fit");
    }

    @Test
    void indexesMustBeStrictlyAscendingAndInRange() {
        assertMalformed(() -> AeHashes.decode(new BodyWriter(8).varint(0).varint(8).varint(4).varint(2).varint(3)
                .varint(3).toArray()), "parent index 3 not above");
        assertMalformed(() -> AeHashes.decode(new BodyWriter(8).varint(0).varint(8).varint(4).varint(2).varint(5)
                .varint(2).toArray()), "parent index 2 not above");
        assertMalformed(() -> AeHashes.decode(new BodyWriter(8).varint(0).varint(8).varint(4).varint(1).varint(16)
                .toArray()), "does not name one of 16");
        assertMalformed(() -> AeHashes.decode(new BodyWriter(8).varint(0).varint(8).varint(0).varint(1).varint(1)
                .toArray()), "does not name one of 1");
        BodyWriter keys = new BodyWriter(8).varint(0).varint(4).varint(100).bytes(new byte[0]);
        assertMalformed(() -> AeKeys.decode(keys.varint(1).varint(16).toArray()), "does not name one of 16");
        assertMalformed(() -> AeKeys.decode(new BodyWriter(8).varint(0).varint(4).varint(100).bytes(new byte[0])
                .varint(2).varint(7).varint(7).toArray()), "segment index 7 not above");
    }

    @Test
    void statusesResolutionsAndRangesAreChecked() {
        for (int status : new int[] {4, 0x80, 0xFF}) {
            assertMalformed(() -> AeRoot.Reply.decode(new BodyWriter(8).u8(status).varint(0).varint(0).fixed64(0)
                    .toArray()), "status " + status);
            assertMalformed(() -> AeHashes.Reply.decode(new byte[] {(byte) status}, AeDecoders.HASHES), "status");
            assertMalformed(() -> AeKeys.Reply.decode(new byte[] {(byte) status, 0, 0}), "status");
            assertMalformed(() -> AeStable.Reply.decode(new byte[] {(byte) status, 0, 0}, AeDecoders.STABLE),
                    "status");
            assertMalformed(() -> AePurge.Reply.decode(new byte[] {(byte) status, 0}, AeDecoders.PURGE), "status");
        }
        // bits: 0..24 for a tree, 1..24 where segments or children are named; parentBits below bits.
        assertMalformed(() -> AeRoot.Reply.decode(new BodyWriter(8).u8(0).varint(25).varint(0).fixed64(0)
                .toArray()), "bits = 25");
        assertThat(AeRoot.Reply.decode(new BodyWriter(8).u8(0).varint(0).varint(0).fixed64(0).toArray()).bits())
                .isZero();
        assertMalformed(() -> AeHashes.decode(new byte[] {0, 0, 0, 1, 0}), "bits = 0");
        assertMalformed(() -> AeHashes.decode(new byte[] {0, 25, 0, 1, 0}), "bits = 25");
        assertMalformed(() -> AeHashes.decode(new byte[] {0, 8, 8, 1, 0}), "parentBits = 8");
        assertMalformed(() -> AeHashes.decode(new byte[] {0, 8, 12, 1, 0}), "parentBits = 12");
        assertMalformed(() -> AeKeys.decode(new byte[] {0, 0, 1, 0, 1, 0}), "bits = 0");
        assertMalformed(() -> AeKeys.decode(new byte[] {0, 25, 1, 0, 1, 0}), "bits = 25");
        // maxBytes 1..4 MiB, resumeAfter a key's length at most, truncated 0 or 1.
        assertMalformed(() -> AeKeys.decode(new byte[] {0, 8, 0, 0, 1, 0}), "maxBytes = 0");
        assertMalformed(() -> AeKeys.decode(new BodyWriter(8).varint(0).varint(8)
                .varint(AeLimits.MAX_REPLY_BYTES + 1).bytes(new byte[0]).varint(1).varint(0).toArray()), "maxBytes");
        assertMalformed(() -> AeKeys.decode(new BodyWriter(8).varint(0).varint(8).varint(100)
                .bytes(new byte[MAX_KEY + 1]).varint(1).varint(0).toArray()), "resumeAfter length");
        assertThat(AeKeys.decode(new BodyWriter(8).varint(0).varint(8).varint(100).bytes(new byte[MAX_KEY])
                .varint(1).varint(0).toArray()).resumeAfter()).hasSize(MAX_KEY);
        assertMalformed(() -> AeKeys.Reply.decode(new byte[] {0, 2, 0}), "truncated = 2");
        // Partitions past 0xFFFF, ring versions past 2^63 - 1, keys empty or too long, sets that do not decode.
        byte[] partition65536 = {(byte) 0x80, (byte) 0x80, 4};
        assertMalformed(() -> AeRoot.decode(concat(partition65536, new byte[] {0})), "partition");
        assertMalformed(() -> AeFetch.decode(concat(partition65536, new byte[] {1, 1, 'k'})), "partition");
        assertMalformed(() -> AeRoot.decode(new BodyWriter(12).varint(0).varint(Long.MIN_VALUE).toArray()),
                "ringVersion");
        assertMalformed(() -> AeFetch.decode(new byte[] {0, 1, 0, 0}), "key must not be empty");
        assertMalformed(() -> AeFetch.decode(new BodyWriter(8).varint(0).varint(1).bytes(new byte[MAX_KEY + 1])
                .toArray()), "key length");
        assertMalformed(() -> AePush.decode(new byte[] {0, 1, 1, 'k', 3, 2, 0, 0}), "format");
        // Non-shortest varints.
        assertMalformed(() -> AeRoot.decode(new byte[] {(byte) 0x81, 0, 0}), "shortest");
    }

    @Test
    void repliesMustFitTheirRequest() {
        AeHashes hashes = new AeHashes(0, 8, 4, new int[] {1, 2}); // 2 parents x 16 children
        assertThat(AeHashes.Reply.decode(hashReply(0, 32), hashes).hashes()).hasSize(32);
        assertMalformed(() -> AeHashes.Reply.decode(hashReply(0, 31), hashes), "expected 32 hashes");
        assertMalformed(() -> AeHashes.Reply.decode(hashReply(0, 33), hashes), "expected 32 hashes");
        assertMalformed(() -> AeHashes.Reply.decode(hashReply(1, 32), hashes), "expected 0 hashes");
        assertMalformed(() -> AeHashes.Reply.decode(hashReply(0, 0), hashes), "expected 32 hashes");

        AeFetch fetch = AeDecoders.FETCH; // keys a, b
        assertThat(AeFetch.Reply.decode(fetchReply("a"), fetch).entries()).hasSize(1);
        assertThat(AeFetch.Reply.decode(fetchReply("a", "b"), fetch).entries()).hasSize(2);
        assertMalformed(() -> AeFetch.Reply.decode(fetchReply(), fetch), "entry count = 0");
        assertMalformed(() -> AeFetch.Reply.decode(fetchReply("a", "b", "c"), fetch), "entry count = 3");
        assertMalformed(() -> AeFetch.Reply.decode(fetchReply("b"), fetch), "not the request's key 0");
        assertMalformed(() -> AeFetch.Reply.decode(fetchReply("a", "a"), fetch), "not the request's key 1");

        assertThat(AePush.Reply.decode(new byte[] {2}, AeDecoders.PUSH).merged()).isEqualTo(2);
        assertMalformed(() -> AePush.Reply.decode(new byte[] {3}, AeDecoders.PUSH), "merged = 3");

        AeStable stable = AeDecoders.STABLE; // 2 keys
        assertThat(AeStable.Reply.decode(stableReply(0, 0, 2), stable).hashes()).hasSize(2);
        assertMalformed(() -> AeStable.Reply.decode(stableReply(0, 0, 1), stable), "1 hashes for 2 keys");
        assertMalformed(() -> AeStable.Reply.decode(stableReply(0, 0, 3), stable), "3 hashes for 2 keys");
        assertMalformed(() -> AeStable.Reply.decode(stableReply(3, 0, 2), stable), "2 hashes for 0 keys");

        assertThat(AePurge.Reply.decode(new byte[] {0, 2}, AeDecoders.PURGE).purged()).isEqualTo(2);
        assertMalformed(() -> AePurge.Reply.decode(new byte[] {0, 3}, AeDecoders.PURGE), "purged = 3");
    }

    @Test
    void repliesThatAreNotOkCarryNothingElse() {
        assertThat(AeRoot.Reply.decode(new BodyWriter(8).u8(1).varint(0).varint(0).fixed64(0).toArray()))
                .isEqualTo(AeRoot.Reply.of(AeStatus.NOT_READY));
        assertMalformed(() -> AeRoot.Reply.decode(new BodyWriter(8).u8(1).varint(3).varint(0).fixed64(0)
                .toArray()), "only zeros");
        assertMalformed(() -> AeRoot.Reply.decode(new BodyWriter(8).u8(1).varint(0).varint(1).fixed64(0)
                .toArray()), "only zeros");
        assertMalformed(() -> AeRoot.Reply.decode(new BodyWriter(8).u8(1).varint(0).varint(0).fixed64(1)
                .toArray()), "only zeros");
        assertMalformed(() -> AeKeys.Reply.decode(new byte[] {2, 1, 0}), "only zeros");
        assertMalformed(() -> AeKeys.Reply.decode(new byte[] {2, 0, 1, 1, 'k', 3, 1, 0, 0}), "only zeros");
        assertMalformed(() -> AeStable.Reply.decode(stableReply(3, 5, 0), AeDecoders.STABLE), "only zeros");
        assertMalformed(() -> AePurge.Reply.decode(new byte[] {3, 1}, AeDecoders.PURGE), "only zeros");
    }

    @Test
    void invalidMessagesCannotBeBuilt() {
        List<ThrowingCallable> invalid = List.of(
                () -> new AeRoot(-1, 0),
                () -> new AeRoot(StorageEngine.MAX_PARTITION + 1, 0),
                () -> new AeRoot(0, -1),
                () -> new AeRoot.Reply(AeStatus.OK, 25, 0, 0),
                () -> new AeRoot.Reply(AeStatus.NOT_READY, 0, 0, 7),
                () -> new AeRoot.Reply(null, 0, 0, 0),
                () -> new AeHashes(0, 8, 8, new int[] {0}),
                () -> new AeHashes(0, 0, 0, new int[] {0}),
                () -> new AeHashes(0, 8, 2, new int[0]),
                () -> new AeHashes(0, 8, 2, new int[] {4}),
                () -> new AeHashes(0, 8, 2, new int[] {2, 1}),
                () -> new AeHashes(0, 12, 9, new int[257]),
                () -> new AeHashes.Reply(AeStatus.RESOLUTION, new long[1]),
                () -> new AeKeys(0, 8, 0, new byte[0], new int[] {0}),
                () -> new AeKeys(0, 8, AeLimits.MAX_REPLY_BYTES + 1, new byte[0], new int[] {0}),
                () -> new AeKeys(0, 8, 1, new byte[MAX_KEY + 1], new int[] {0}),
                () -> new AeKeys(0, 8, 1, new byte[0], new int[] {256}),
                () -> new AeKeys.Reply(AeStatus.NOT_READY, true, List.of()),
                () -> new AeEntry(new byte[0], SiblingSet.empty()),
                () -> new AeEntry(new byte[] {1}, null),
                () -> new AeFetch(0, List.of()),
                () -> new AeFetch(0, List.of(new byte[MAX_KEY + 1])),
                () -> new AeFetch(0, java.util.Collections.nCopies(1025, new byte[] {1})),
                () -> new AeFetch.Reply(List.of()),
                () -> new AePush(0, List.of()),
                () -> new AePush.Reply(-1),
                () -> new AeStable(0, 0, List.of()),
                () -> new AeStable.Reply(AeStatus.RING_DIFFERS, 1, new long[0]),
                () -> new AeStable.Reply(AeStatus.OK, -1, new long[0]),
                () -> new AePurge(0, 0, List.of()),
                () -> new AePurge.Entry(new byte[0], 0),
                () -> new AePurge.Reply(AeStatus.OK, -1),
                () -> new AePurge.Reply(AeStatus.RING_DIFFERS, 1));
        for (int i = 0; i < invalid.size(); i++) {
            assertThatThrownBy(invalid.get(i)).as("case %d", i).isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static void assertMalformed(ThrowingCallable decode, String messagePart) {
        assertThatThrownBy(decode).isInstanceOf(MalformedEncodingException.class).hasMessageContaining(messagePart);
    }

    /**
     * Whether two decoded messages hold the same values: records component by component, arrays and lists element
     * by element, anything else by its equals (records with arrays compare them by identity).
     */
    private static boolean sameFields(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof int[] x && b instanceof int[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof long[] x && b instanceof long[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!sameFields(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Record && a.getClass() == b.getClass()) {
            try {
                for (RecordComponent c : a.getClass().getRecordComponents()) {
                    if (!sameFields(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
                        return false;
                    }
                }
                return true;
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return a.equals(b);
    }

    private static String hex(Message m) {
        return HEX.formatHex(m.body());
    }

    /** {@code head} then {@code count} and the indexes 0 to count - 1. */
    private static byte[] indexes(BodyWriter head, int count) {
        head.varint(count);
        for (int i = 0; i < count; i++) {
            head.varint(i);
        }
        return head.toArray();
    }

    /** {@code head} then {@code count} and that many one-byte keys. */
    private static byte[] keys(BodyWriter head, int count) {
        head.varint(count);
        for (int i = 0; i < count; i++) {
            head.bytes(new byte[] {(byte) i});
        }
        return head.toArray();
    }

    private static byte[] hashReply(int status, int hashes) {
        BodyWriter w = new BodyWriter(8).u8(status);
        for (int i = 0; i < hashes; i++) {
            w.fixed64(i);
        }
        return w.toArray();
    }

    private static byte[] fetchReply(String... keys) {
        BodyWriter w = new BodyWriter(8).varint(keys.length);
        for (String key : keys) {
            PeerFields.siblingSet(w.string(key), SiblingSet.empty());
        }
        return w.toArray();
    }

    private static byte[] stableReply(int status, long pendingHints, int hashes) {
        BodyWriter w = new BodyWriter(8).u8(status).varint(pendingHints).varint(hashes);
        for (int i = 0; i < hashes; i++) {
            w.fixed64(i);
        }
        return w.toArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
