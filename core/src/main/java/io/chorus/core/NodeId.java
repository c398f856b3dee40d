package io.chorus.core;

/**
 * The name of a node in the cluster, stable across restarts (a host:port, or an operator-chosen name).
 *
 * <p>It identifies a member of the ring; the actor that stamps writes is {@code ActorId(node, epoch)}, so a
 * node that comes back with wiped data gets a new actor under the same name. Immutable.
 */
public record NodeId(String name) implements Comparable<NodeId> {

    /** Names are carried length-prefixed in ring and causal encodings; bound them so a frame cannot lie. */
    public static final int MAX_UTF8_LENGTH = 255;

    public NodeId {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("node id must not be empty");
        }
        // One pass, no allocation: ids are decoded on every read of a stored value.
        int utf8 = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("node id contains whitespace or a control character: '" + name + "'");
            }
            if (c < 0x80) {
                utf8 += 1;
            } else if (c < 0x800) {
                utf8 += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < name.length()
                    && Character.isLowSurrogate(name.charAt(i + 1))) {
                utf8 += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("node id is not valid Unicode (unpaired surrogate)");
            } else {
                utf8 += 3;
            }
        }
        if (utf8 > MAX_UTF8_LENGTH) {
            throw new IllegalArgumentException("node id longer than " + MAX_UTF8_LENGTH + " UTF-8 bytes: " + name);
        }
    }

    public static NodeId of(String name) {
        return new NodeId(name);
    }

    @Override
    public int compareTo(NodeId other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
