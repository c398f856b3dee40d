package io.chorus.transport.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted, slow password hashes: PBKDF2 with HMAC-SHA-512, a 16-byte random salt and {@value #DEFAULT_ITERATIONS}
 * iterations (OWASP's 2023 figure for this function; about 60 ms of one core here, so a guessing attacker pays the
 * same per try), written as {@code pbkdf2-sha512:ITERATIONS:SALT:HASH} with the salt and the 64-byte hash in
 * base64. The iteration count is part of each hash, so it can rise without invalidating stored ones. Comparison is
 * in constant time. Stateless.
 */
public final class PasswordHash {

    public static final int DEFAULT_ITERATIONS = 210_000;
    static final String SCHEME = "pbkdf2-sha512";
    private static final String ALGORITHM = "PBKDF2WithHmacSHA512";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 512;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    /** A new hash of {@code password} (UTF-8 bytes) with a fresh salt. */
    public static String hash(byte[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    static String hash(byte[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + ":" + iterations + ":" + b64.encodeToString(salt) + ":"
                + b64.encodeToString(derive(password, salt, iterations));
    }

    /** Whether {@code password} is the one {@code stored} was made from; false for a malformed stored hash too. */
    public static boolean verify(String stored, byte[] password) {
        Parsed p = parse(stored);
        if (p == null) {
            return false;
        }
        try {
            return MessageDigest.isEqual(p.hash, derive(password, p.salt, p.iterations));
        } catch (IllegalArgumentException notText) {
            return false;
        }
    }

    /** Why {@code stored} is not a hash this class reads, or null when it is: for a clear error on load. */
    public static String problem(String stored) {
        return parse(stored) == null ? "not a " + SCHEME + ":ITERATIONS:SALT:HASH password hash" : null;
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {
    }

    private static Parsed parse(String stored) {
        String[] parts = stored == null ? new String[0] : stored.split(":", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return null;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (iterations < 1_000 || iterations > 10_000_000 || salt.length < 8 || hash.length != HASH_BITS / 8) {
                return null;
            }
            return new Parsed(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] derive(byte[] password, byte[] salt, int iterations) {
        char[] chars = chars(password);
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every JDK: " + e, e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    /** PBKDF2 takes chars: a password must be UTF-8 text (the protocol says so); other bytes never match. */
    private static char[] chars(byte[] password) {
        try {
            CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(password));
            char[] out = new char[decoded.remaining()];
            decoded.get(out);
            Arrays.fill(decoded.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a password must be UTF-8 text");
        }
    }
}
