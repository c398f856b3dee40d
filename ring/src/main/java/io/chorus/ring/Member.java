package io.chorus.ring;

import io.chorus.core.NodeId;
import java.nio.charset.StandardCharsets;

/**
 * A ring member: a node and the failure zone (rack, availability zone) it lives in. The empty zone,
 * {@link #NO_ZONE}, means "no zone given"; if every member has it, preference lists are the plain clockwise walk.
 * Immutable.
 */
public record Member(NodeId id, String zone) {

    public static final String NO_ZONE = "";
    /** Zones are carried length-prefixed in the ring encoding, like node ids. */
    public static final int MAX_ZONE_UTF8_LENGTH = 255;

    public Member {
        if (id == null) {
            throw new IllegalArgumentException("member id must not be null");
        }
        if (zone == null) {
            throw new IllegalArgumentException("zone of " + id + " must not be null (use Member.NO_ZONE)");
        }
        byte[] utf8 = zone.getBytes(StandardCharsets.UTF_8);
        if (!new String(utf8, StandardCharsets.UTF_8).equals(zone)) {
            throw new IllegalArgumentException("zone of " + id + " is not valid Unicode (unpaired surrogate)");
        }
        if (utf8.length > MAX_ZONE_UTF8_LENGTH) {
            throw new IllegalArgumentException("zone of " + id + " longer than " + MAX_ZONE_UTF8_LENGTH
                    + " UTF-8 bytes");
        }
        for (int i = 0; i < zone.length(); i++) {
            char c = zone.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("zone of " + id + " contains whitespace or a control character: '"
                        + zone + "'");
            }
        }
    }

    public static Member of(NodeId id) {
        return new Member(id, NO_ZONE);
    }

    public static Member of(String id) {
        return new Member(NodeId.of(id), NO_ZONE);
    }

    public static Member of(String id, String zone) {
        return new Member(NodeId.of(id), zone);
    }

    public boolean hasZone() {
        return !zone.isEmpty();
    }

    @Override
    public String toString() {
        return zone.isEmpty() ? id.toString() : id + "@" + zone;
    }
}
