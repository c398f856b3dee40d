package io.chorus.core.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag(Seeds.TAG)
class VersionVectorTest {

    private static final ActorId A = ActorId.of("a", 1);
    private static final ActorId B = ActorId.of("b", 1);

    @Test
    void comparesAsAPartialOrder() {
        VersionVector a1 = vv(A, 1);
        VersionVector a2b1 = vv(A, 2, B, 1);
        VersionVector b2 = vv(B, 2);
        assertThat(a1.compare(a2b1)).isEqualTo(Causality.BEFORE);
        assertThat(a2b1.compare(a1)).isEqualTo(Causality.AFTER);
        assertThat(a2b1.compare(b2)).isEqualTo(Causality.CONCURRENT);
        assertThat(a1.compare(vv(A, 1))).isEqualTo(Causality.EQUAL);
        assertThat(VersionVector.empty().compare(a1)).isEqualTo(Causality.BEFORE);
        assertThat(a1.descends(VersionVector.empty())).isTrue();
    }

    @Test
    void joinIsTheLeastUpperBound() {
        Seeds.forEach(2000, seed -> {
            Random rnd = new Random(seed);
            VersionVector x = random(rnd);
            VersionVector y = random(rnd);
            VersionVector z = random(rnd);
            VersionVector j = x.join(y);
            assertThat(j.descends(x) && j.descends(y)).as("upper bound, seed %d", seed).isTrue();
            assertThat(j).as("commutative, seed %d", seed).isEqualTo(y.join(x));
            assertThat(j.join(z)).as("associative, seed %d", seed).isEqualTo(x.join(y.join(z)));
            assertThat(x.join(x)).as("idempotent, seed %d", seed).isEqualTo(x);
            if (z.descends(x) && z.descends(y)) {
                assertThat(z.descends(j)).as("least, seed %d", seed).isTrue();
            }
            Causality c = x.compare(y);
            Causality back = y.compare(x);
            assertThat(back).as("antisymmetric, seed %d", seed).isEqualTo(switch (c) {
                case BEFORE -> Causality.AFTER;
                case AFTER -> Causality.BEFORE;
                default -> c;
            });
            assertThat(c == Causality.EQUAL).as("equal iff equals, seed %d", seed).isEqualTo(x.equals(y));
        });
    }

    @Test
    void withAdvancesOneActorAndCovers() {
        VersionVector v = vv(A, 2).with(new Dot(B, 3));
        assertThat(v.get(B)).isEqualTo(3);
        assertThat(v.covers(new Dot(B, 1))).as("a dot implies every earlier dot of its actor").isTrue();
        assertThat(v.covers(new Dot(A, 3))).isFalse();
        assertThat(v.with(new Dot(A, 1))).as("an older dot changes nothing").isSameAs(v);
    }

    @Test
    void rejectsUnsortedOrNonPositiveInput() {
        assertThatThrownBy(() -> VersionVector.ofSorted(new ActorId[] {B, A}, new long[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.ofSorted(new ActorId[] {A}, new long[] {0}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Dot(A, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ActorId.of("a", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(VersionVector.of(Map.of(A, 0L))).isEqualTo(VersionVector.empty());
    }

    static VersionVector random(Random rnd) {
        Map<ActorId, Long> m = new HashMap<>();
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            m.put(ActorId.of("n" + rnd.nextInt(4), rnd.nextInt(2)), 1L + rnd.nextInt(4));
        }
        return VersionVector.of(m);
    }

    private static VersionVector vv(Object... pairs) {
        Map<ActorId, Long> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((ActorId) pairs[i], ((Number) pairs[i + 1]).longValue());
        }
        return VersionVector.of(m);
    }
}
