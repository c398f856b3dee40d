package io.chorus.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteReaderTest {

    /** A length-prefixed UTF-8 string followed by one marker byte, to see where the reader stopped. */
    private static ByteReader stringThenMarker(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(utf8.length + 11);
        Varint.write(out, utf8.length);
        out.put(utf8).put((byte) 0x7E);
        out.flip();
        // A direct buffer, as LMDB hands out: the known-string path must not depend on an array.
        ByteBuffer direct = ByteBuffer.allocateDirect(out.remaining()).put(out).flip();
        return new ByteReader(direct);
    }

    @Test
    void aKnownStringSpelledByTheBytesIsReturnedItselfAndConsumed() {
        String known = new String("node-1".toCharArray());
        ByteReader r = stringThenMarker("node-1");
        assertThat(r.utf8("name", 255, known)).isSameAs(known);
        assertThat(r.u8("marker")).isEqualTo(0x7E);
    }

    @Test
    void otherBytesAreDecodedAsTheyAre() {
        for (String[] c : new String[][] {{"node-2", "node-1"}, {"node-1", "node-10"}, {"node-10", "node-1"},
                {"nöde", "node"}, {"node", "nöde"}, {"ab", null}, {"", "x"}}) {
            ByteReader r = stringThenMarker(c[0]);
            String read = r.utf8("name", 255, c[1]);
            assertThat(read).as("%s read with %s known", c[0], c[1]).isEqualTo(c[0]).isNotSameAs(c[1]);
            assertThat(r.u8("marker")).isEqualTo(0x7E);
        }
    }

    @Test
    void limitsStillApplyWhenTheKnownStringMatches() {
        assertThatThrownBy(() -> stringThenMarker("node-1").utf8("name", 5, "node-1"))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("over the maximum 5");
        ByteBuffer truncated = ByteBuffer.wrap(new byte[] {6, 'n', 'o', 'd', 'e'});
        assertThatThrownBy(() -> new ByteReader(truncated).utf8("name", 255, "node-1"))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("truncated");
    }

    /** A length or count of 2^63 (a valid 10-byte varint) is over any limit, not a negative number under it. */
    @Test
    void hugeLengthsAreRejectedNotWrappedToEmpty() {
        byte[] hugeLength = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        assertThatThrownBy(() -> new ByteReader(hugeLength).bytes("value", Integer.MAX_VALUE))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("over the maximum");
        assertThatThrownBy(() -> new ByteReader(hugeLength).utf8("name", 255))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("over the maximum");
        assertThatThrownBy(() -> new ByteReader(hugeLength).utf8("name", 255, "node-1"))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("over the maximum");
        assertThatThrownBy(() -> new ByteReader(hugeLength).count("actor count", 4))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("cannot fit");
    }

    @Test
    void anIndexMustNameAnEntryEvenWhenThereAreNone() {
        assertThat(new ByteReader(new byte[] {2}).index("i", 3)).isEqualTo(2);
        assertThatThrownBy(() -> new ByteReader(new byte[] {3}).index("i", 3))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("one of 3");
        assertThatThrownBy(() -> new ByteReader(new byte[] {0}).index("i", 0))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("one of 0");
        byte[] huge = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, 0x01};
        assertThatThrownBy(() -> new ByteReader(huge).index("i", 5)).isInstanceOf(MalformedEncodingException.class);
    }

    @Test
    void fixed64IsEightBigEndianBytesAndNeedsAllOfThem() {
        byte[] bytes = {(byte) 0x80, 1, 2, 3, 4, 5, 6, 7, 0x7E};
        ByteReader r = new ByteReader(bytes);
        assertThat(r.fixed64("hash")).isEqualTo(0x8001020304050607L);
        assertThat(r.u8("marker")).isEqualTo(0x7E);
        for (int len = 0; len < 8; len++) {
            ByteReader shortOne = new ByteReader(java.util.Arrays.copyOf(bytes, len));
            assertThatThrownBy(() -> shortOne.fixed64("hash")).isInstanceOf(MalformedEncodingException.class)
                    .hasMessageContaining("hash: truncated");
        }
    }
}
