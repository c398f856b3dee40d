package io.chorus.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/** How LMDB's own exceptions are sorted; the exceptions are provoked from a real environment. */
class LmdbErrorsTest {

    @TempDir
    Path dir;

    @Test
    void mapFullIsRecognisedAndBecomesStorageFull() {
        try (Env<ByteBuffer> env = Env.create().setMapSize(64 * 1024).setMaxDbs(1).open(dir.toFile())) {
            Dbi<ByteBuffer> db = env.openDbi("d", DbiFlags.MDB_CREATE);
            LmdbException full = null;
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                ByteBuffer key = ByteBuffer.allocateDirect(4);
                for (int i = 0; i < 1000 && full == null; i++) {
                    key.clear();
                    key.putInt(0, i);
                    try {
                        db.reserve(txn, key, 4096);
                    } catch (LmdbException e) {
                        full = e;
                    }
                }
            }
            assertThat(full).isNotNull();
            assertThat(LmdbErrors.classify(full)).isEqualTo(LmdbErrors.Kind.MAP_FULL);
            assertThat(LmdbErrors.toChorus(full, "w")).isInstanceOf(StorageFullException.class);
        }
    }

    @Test
    void otherFailuresAreInternal() {
        LmdbException e = new LmdbException("something else");
        assertThat(LmdbErrors.classify(e, () -> 0L)).isEqualTo(LmdbErrors.Kind.OTHER);
        assertThat(LmdbErrors.toChorus(e, "w").code()).isEqualTo(ErrorCode.INTERNAL);
    }
}
