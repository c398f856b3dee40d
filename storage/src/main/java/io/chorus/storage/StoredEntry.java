package io.chorus.storage;

/** A key of a partition and its stored sibling set in canonical causal encoding. Arrays are not copied. */
public record StoredEntry(byte[] key, byte[] encoded) {
}
