package io.chorus.storage;

import io.chorus.core.causal.SiblingSet;

/** Receives the entries of a partition scan; called on the scanning thread, outside any LMDB transaction. */
@FunctionalInterface
public interface PartitionVisitor {

    /**
     * @param key the key without its partition prefix; the array belongs to the visitor
     * @return whether to go on with the next key
     */
    boolean visit(byte[] key, SiblingSet value);
}
