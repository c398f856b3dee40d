package io.chorus.storage;

/** Receives the entries of a {@link KeyValueArea} scan; called on the scanning thread, outside any transaction. */
@FunctionalInterface
public interface AreaVisitor {

    /**
     * @param key and {@code value} are fresh arrays that belong to the visitor
     * @return whether to go on with the next key
     */
    boolean visit(byte[] key, byte[] value);
}
