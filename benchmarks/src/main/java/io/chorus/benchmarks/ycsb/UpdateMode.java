package io.chorus.benchmarks.ycsb;

/** How a YCSB update writes ({@code chorus.update}); see {@link ChorusYcsbClient}. */
public enum UpdateMode {

    /**
     * {@code rmw} (the default): read the key with its context, merge the new fields into the record (siblings
     * resolved by the {@link SiblingPolicy}), write it back with the context, so the write replaces what was read.
     * Two round trips; a writer in sequence never makes siblings. This is how a Chorus application updates.
     */
    RMW,

    /**
     * {@code blind}: write the given fields with no context. One round trip, but every write adds a sibling, so a
     * hot key of a zipfian workload piles them up until the node refuses the write with TOO_MANY_SIBLINGS (and
     * the values grow with every read). A lower bound on write cost, not a way to use Chorus.
     */
    BLIND;

    /** The mode a property value names: {@code rmw} or {@code blind}, any case. */
    public static UpdateMode parse(String name) {
        for (UpdateMode m : values()) {
            if (m.name().equalsIgnoreCase(name.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("chorus.update must be rmw or blind, not '" + name + "'");
    }
}
