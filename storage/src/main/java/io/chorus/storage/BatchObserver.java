package io.chorus.storage;

/**
 * Told of every group commit, on the writer thread right after the batch settled: a metrics sink, so that batch
 * sizes and commit times can be seen without the store depending on a metrics library. Must be quick and must not
 * throw (a throw is logged and ignored) and must not call back into the store.
 */
@FunctionalInterface
public interface BatchObserver {

    BatchObserver NONE = (writes, nanos) -> { };

    /**
     * @param writes how many writes the batch held (acknowledged or refused)
     * @param nanos  how long its commit took, the fsync included in {@link Durability#SYNC}
     */
    void committed(int writes, long nanos);
}
