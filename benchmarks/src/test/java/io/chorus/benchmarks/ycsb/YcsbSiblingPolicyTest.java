package io.chorus.benchmarks.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The read policies are pure: the same siblings give the same record, and merge does not care about order. */
class YcsbSiblingPolicyTest {

    private static final byte[] A = record("f0", "apple", "f1", "x");
    private static final byte[] B = record("f0", "banana", "f2", "y");

    @Test
    void firstTakesTheFirstSiblingAsTheServerOrdersThem() {
        assertThat(text(SiblingPolicy.FIRST.resolve(List.of(A, B)))).isEqualTo(Map.of("f0", "apple", "f1", "x"));
        assertThat(text(SiblingPolicy.FIRST.resolve(List.of(B, A)))).isEqualTo(Map.of("f0", "banana", "f2", "y"));
    }

    @Test
    void mergeUnitesFieldsAndKeepsTheGreatestValueOfASharedOne() {
        assertThat(text(SiblingPolicy.MERGE.resolve(List.of(A, B))))
                .isEqualTo(Map.of("f0", "banana", "f1", "x", "f2", "y"));
    }

    @Test
    void mergeIsTheSameInAnyOrder() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<byte[]> siblings = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] v = new byte[3];
            random.nextBytes(v);
            siblings.add(FieldCodec.encode(Map.of("f" + random.nextInt(3), v, "g" + i, v)));
        }
        TreeMap<String, byte[]> expected = SiblingPolicy.MERGE.resolve(siblings);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(siblings, random);
            TreeMap<String, byte[]> got = SiblingPolicy.MERGE.resolve(siblings);
            assertThat(got.keySet()).as("seed %d", seed).isEqualTo(expected.keySet());
            got.forEach((f, v) -> assertThat(v).as("seed %d field %s", seed, f).isEqualTo(expected.get(f)));
        }
    }

    @Test
    void namesParseInAnyCaseAndOthersAreRefused() {
        assertThat(SiblingPolicy.parse(" Merge ")).isEqualTo(SiblingPolicy.MERGE);
        assertThat(SiblingPolicy.parse("first")).isEqualTo(SiblingPolicy.FIRST);
        assertThatThrownBy(() -> SiblingPolicy.parse("last")).hasMessageContaining("chorus.siblings");
        assertThat(UpdateMode.parse("BLIND")).isEqualTo(UpdateMode.BLIND);
        assertThatThrownBy(() -> UpdateMode.parse("lww")).hasMessageContaining("chorus.update");
    }

    static byte[] record(String... namesAndValues) {
        TreeMap<String, byte[]> r = new TreeMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            r.put(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return FieldCodec.encode(r);
    }

    static Map<String, String> text(Map<String, byte[]> record) {
        Map<String, String> out = new TreeMap<>();
        record.forEach((f, v) -> out.put(f, new String(v, StandardCharsets.UTF_8)));
        return out;
    }
}
