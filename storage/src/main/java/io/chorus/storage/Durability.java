package io.chorus.storage;

/** What a completed write survives. */
public enum Durability {

    /**
     * Each group commit is fsynced before any of its writes is acknowledged: an acknowledged write survives a
     * process crash, an OS crash and a power loss (given a disk that honours flushes). The default.
     */
    SYNC,

    /**
     * LMDB's MDB_NOSYNC: commits are not flushed. An acknowledged write survives a crash of the process (the OS
     * still holds the pages) but the most recent writes are lost on an OS crash or power loss; the database stays
     * consistent. For tests and benchmarks only.
     */
    NOSYNC
}
