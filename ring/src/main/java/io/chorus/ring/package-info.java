/**
 * Key to partition to preference list.
 *
 * <p>A key hashes ({@link io.chorus.ring.Partitioner}) to one of Q fixed partitions; an immutable, versioned
 * {@link io.chorus.ring.Ring} says who owns each partition and precomputes, per partition, the clockwise
 * (zone-aware) walk whose first N nodes are the preference list and whose tail supplies sloppy-quorum fallbacks.
 * {@link io.chorus.ring.Claim} decides ownership as pure functions (balanced, minimal movement);
 * {@link io.chorus.ring.RingCodec} is the gossiped binary form. Nothing here does I/O or keeps mutable state.
 */
package io.chorus.ring;
