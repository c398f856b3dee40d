package io.chorus.benchmarks;

import io.chorus.storage.Durability;
import io.chorus.storage.LmdbStorageEngine;
import io.chorus.storage.StorageConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;

/**
 * The two stores the storage benchmarks compare, in temporary directories: Chorus's engine and a bare lmdbjava
 * environment with one database, both with a 1 GiB map so neither pays for growth during a run.
 */
final class StorePair implements AutoCloseable {

    final Path engineDir;
    final Path rawDir;
    final LmdbStorageEngine engine;
    final Env<ByteBuffer> rawEnv;
    final Dbi<ByteBuffer> rawDbi;

    StorePair(String name, Durability durability) {
        engineDir = BenchDirs.create("chorus-bench-" + name + "-engine");
        rawDir = BenchDirs.create("chorus-bench-" + name + "-raw");
        engine = LmdbStorageEngine.open(StorageConfig.builder(engineDir)
                .durability(durability).initialMapSize(1L << 30).build());
        // The raw baseline syncs on commit (LMDB's default), like the engine in SYNC mode.
        rawEnv = Env.create().setMapSize(1L << 30).setMaxDbs(1).open(rawDir.toFile());
        rawDbi = rawEnv.openDbi("raw", DbiFlags.MDB_CREATE);
    }

    @Override
    public void close() {
        engine.close();
        rawEnv.close();
        BenchDirs.delete(engineDir);
        BenchDirs.delete(rawDir);
    }
}
