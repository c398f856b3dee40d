package io.chorus.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chorus.client.ChorusObject;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.VersionVector;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How the data commands show keys, values and contexts: text when it is valid UTF-8 without control characters,
 * base64 (marked) otherwise; a context as base64 of its binary form, which {@code --context} takes back.
 */
final class Printing {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Printing() {
    }

    static String context(VersionVector vv) {
        return Base64.getEncoder().encodeToString(CausalCodec.encodeContext(vv));
    }

    static VersionVector context(String text) {
        if (text == null || text.isEmpty()) {
            return VersionVector.empty();
        }
        try {
            return CausalCodec.decodeContext(Base64.getDecoder().decode(text));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--context is not a context this command printed: " + e.getMessage());
        }
    }

    /** The value as text, or null when it is not printable text. */
    static String text(byte[] value) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
            return s.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t') ? null : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static void object(PrintWriter out, ChorusObject o, boolean json) {
        if (json) {
            ObjectNode root = JSON.createObjectNode();
            root.put("found", o.found());
            ArrayNode siblings = root.putArray("siblings");
            for (byte[] v : o.values()) {
                ObjectNode s = siblings.addObject();
                String t = text(v);
                s.put("encoding", t == null ? "base64" : "utf8");
                s.put("value", t == null ? Base64.getEncoder().encodeToString(v) : t);
            }
            root.put("context", context(o.context()));
            out.println(root.toString());
            return;
        }
        if (!o.found()) {
            out.println("(not found)");
        }
        for (byte[] v : o.values()) {
            String t = text(v);
            out.println(t == null ? "base64:" + Base64.getEncoder().encodeToString(v) : t);
        }
        if (o.values().size() > 1) {
            out.println("(" + o.values().size() + " siblings: write the resolved value back with this context)");
        }
        out.println("context: " + context(o.context()));
    }
}
