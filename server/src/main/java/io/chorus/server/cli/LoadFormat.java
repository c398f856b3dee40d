package io.chorus.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The line formats {@code chorus load} reads, one record a line: pure parsing, apart from the sending, so that
 * every malformed form is tested without a cluster. Stateless.
 */
enum LoadFormat {

    /** {@code key<TAB>value}, UTF-8 text; the value is everything after the first tab (it may hold tabs). */
    TSV {
        @Override
        Record parse(String line) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new Malformed("no tab between key and value");
            }
            if (tab == 0) {
                throw new Malformed("empty key");
            }
            return new Record(utf8(line.substring(0, tab)), utf8(line.substring(tab + 1)));
        }
    },

    /** {@code {"key":"…","value":"…"}}, with {@code "base64":true} when both are base64 (binary keys or values). */
    JSONL {
        @Override
        Record parse(String line) {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new Malformed("not JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new Malformed("not a JSON object");
            }
            JsonNode key = node.get("key");
            JsonNode value = node.get("value");
            JsonNode base64 = node.get("base64");
            if (key == null || !key.isTextual() || value == null || !value.isTextual()) {
                throw new Malformed("\"key\" and \"value\" must be strings");
            }
            if (base64 != null && !base64.isBoolean()) {
                throw new Malformed("\"base64\" must be true or false");
            }
            boolean binary = base64 != null && base64.booleanValue();
            byte[] k = binary ? decode("key", key.textValue()) : utf8(key.textValue());
            if (k.length == 0) {
                throw new Malformed("empty key");
            }
            return new Record(k, binary ? decode("value", value.textValue()) : utf8(value.textValue()));
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One key and its value, as read. */
    record Record(byte[] key, byte[] value) {
    }

    /** A line that is not a record of the format; the message says why (the caller adds the line number). */
    static final class Malformed extends RuntimeException {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    /** The record on {@code line}, without its line terminator. */
    abstract Record parse(String line);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] decode(String what, String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new Malformed("\"" + what + "\" is not base64: " + e.getMessage());
        }
    }
}
