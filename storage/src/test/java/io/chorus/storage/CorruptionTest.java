package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.failure;
import static io.chorus.storage.TestData.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** Stored bytes that do not decode are reported as CORRUPT, naming the key; never read as "not found". */
class CorruptionTest {

    @TempDir
    Path dir;

    @Test
    void undecodableStoredValueIsCorruptForGetScanAndUpdate() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            await(engine.put(3, bytes("bad"), blind(A, "v")));
            await(engine.put(3, bytes("good"), blind(A, "fine")));
        }
        overwriteRaw(3, bytes("bad"), new byte[] {1, 9, 9, 9});

        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            assertThatThrownBy(() -> engine.get(3, bytes("bad")))
                    .satisfies(CorruptionTest::assertCorrupt)
                    .hasMessageContaining("partition 3 key 0x626164");
            assertThatThrownBy(() -> engine.scan(3, (k, v) -> true))
                    .satisfies(CorruptionTest::assertCorrupt)
                    .hasMessageContaining("0x626164");
            assertThat(failure(engine.put(3, bytes("bad"), blind(A, "new"))))
                    .satisfies(CorruptionTest::assertCorrupt);
            assertThat(values(engine.get(3, bytes("good")))).containsExactly("fine");
            // The raw read passes the bytes on unchecked: whoever decodes them finds the damage.
            assertThat(engine.getEncoded(3, bytes("bad"))).containsExactly(1, 9, 9, 9);
        }
    }

    private static void assertCorrupt(Throwable t) {
        assertThat(t).isInstanceOfSatisfying(ChorusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT));
    }

    /** Writes bytes under a data key with plain lmdbjava, behind the engine's back. */
    private void overwriteRaw(int partition, byte[] key, byte[] value) {
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(8).open(dir.toFile())) {
            Dbi<ByteBuffer> data = env.openDbi(LmdbStorageEngine.DATA_DB);
            byte[] stored = StoreKeys.dataKey(partition, key);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                data.put(txn, ByteBuffer.allocateDirect(stored.length).put(stored).flip(),
                        ByteBuffer.allocateDirect(value.length).put(value).flip());
                txn.commit();
            }
        }
    }
}
