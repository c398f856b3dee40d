package io.chorus.benchmarks.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The record codec: whatever YCSB hands the binding must come back field for field, and garbage must be refused. */
class YcsbFieldCodecTest {

    @Test
    void randomRecordsRoundTrip() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            Map<String, byte[]> record = randomRecord(random);
            TreeMap<String, byte[]> decoded = FieldCodec.decode(FieldCodec.encode(record));
            assertThat(decoded.keySet()).as("seed %d, record %d", seed, i).isEqualTo(record.keySet());
            for (Map.Entry<String, byte[]> field : record.entrySet()) {
                assertThat(decoded.get(field.getKey())).as("seed %d, record %d, field %s", seed, i, field.getKey())
                        .isEqualTo(field.getValue());
            }
        }
    }

    @Test
    void equalRecordsEncodeEquallyWhateverTheMapOrder() {
        Map<String, byte[]> a = new HashMap<>();
        Map<String, byte[]> b = new TreeMap<>(java.util.Comparator.reverseOrder());
        for (String name : new String[] {"field9", "field0", "field10", "x"}) {
            a.put(name, name.getBytes(StandardCharsets.UTF_8));
            b.put(name, name.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(FieldCodec.encode(a)).isEqualTo(FieldCodec.encode(b));
    }

    @Test
    void aYcsbFieldCostsItsBytesAndTwoLengths() {
        byte[] encoded = FieldCodec.encode(Map.of("field0", new byte[100]));
        assertThat(encoded).hasSize(1 + 6 + 1 + 100);
        assertThat(FieldCodec.encode(Map.of())).isEmpty();
        assertThat(FieldCodec.decode(new byte[0])).isEmpty();
    }

    @Test
    void longValuesUseMultiByteLengths() {
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        assertThat(FieldCodec.decode(FieldCodec.encode(Map.of("f", big))).get("f")).isEqualTo(big);
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] encoded = FieldCodec.encode(Map.of("field0", "hello".getBytes(StandardCharsets.UTF_8),
                "field1", "world".getBytes(StandardCharsets.UTF_8)));
        // Cuts at a field boundary decode to fewer fields; every other cut must fail.
        int boundary = 1 + 6 + 1 + 5;
        for (int cut = 1; cut < encoded.length; cut++) {
            byte[] prefix = Arrays.copyOf(encoded, cut);
            if (cut == boundary) {
                assertThat(FieldCodec.decode(prefix)).containsOnlyKeys("field0");
            } else {
                assertThatThrownBy(() -> FieldCodec.decode(prefix)).as("cut at %d", cut)
                        .isInstanceOf(FieldCodec.MalformedRecordException.class);
            }
        }
    }

    @Test
    void namesOutOfOrderOrTwiceAndOverlongLengthsAreRefused() {
        byte[] b = FieldCodec.encode(Map.of("b", new byte[] {1}));
        byte[] a = FieldCodec.encode(Map.of("a", new byte[] {2}));
        assertThatThrownBy(() -> FieldCodec.decode(concat(b, a))).isInstanceOf(FieldCodec.MalformedRecordException.class);
        assertThatThrownBy(() -> FieldCodec.decode(concat(a, a))).isInstanceOf(FieldCodec.MalformedRecordException.class);
        byte[] sixByteLength = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        assertThatThrownBy(() -> FieldCodec.decode(sixByteLength))
                .isInstanceOf(FieldCodec.MalformedRecordException.class);
        byte[] negativeLength = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        assertThatThrownBy(() -> FieldCodec.decode(negativeLength))
                .isInstanceOf(FieldCodec.MalformedRecordException.class);
    }

    @Test
    void randomGarbageNeverEscapesAsAnotherException() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            byte[] garbage = new byte[random.nextInt(40)];
            random.nextBytes(garbage);
            try {
                FieldCodec.decode(garbage);
            } catch (FieldCodec.MalformedRecordException expected) {
                // refused, as it should be
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", input " + i + ": " + Arrays.toString(garbage), e);
            }
        }
    }

    private static Map<String, byte[]> randomRecord(Random random) {
        Map<String, byte[]> record = new HashMap<>();
        int fields = random.nextInt(12);
        for (int f = 0; f < fields; f++) {
            StringBuilder name = new StringBuilder();
            int length = random.nextInt(20);
            for (int c = 0; c < length; c++) {
                // Beyond ASCII too: names are UTF-8, so a name's byte length differs from its char length.
                name.append(random.nextInt(4) == 0 ? (char) (0x400 + random.nextInt(200)) : (char) ('a' + random.nextInt(26)));
            }
            byte[] value = new byte[random.nextInt(4) == 0 ? random.nextInt(1_000) : random.nextInt(130)];
            random.nextBytes(value);
            record.put(name.toString(), value);
        }
        return record;
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] out = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }
}
