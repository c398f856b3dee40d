package io.chorus.core.causal;

/** How two version vectors are ordered: the partial order of causal history. */
public enum Causality {
    /** Every event of the left side is in the right side, and the right has more. */
    BEFORE,
    /** The left side has seen everything the right has, and more. */
    AFTER,
    EQUAL,
    /** Each side has seen an event the other has not. */
    CONCURRENT
}
