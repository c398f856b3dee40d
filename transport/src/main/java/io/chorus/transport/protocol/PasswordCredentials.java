package io.chorus.transport.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A user name and password a client sends in its HELLO (docs/protocol.md, "Authentication"). The password is held
 * as bytes so it can be {@linkplain #wipe wiped} once checked; {@link #toString} never shows it, so that no log
 * line carries it. The array is copied in and out; only {@link #wipe} changes it. Thread-safe for reads.
 */
public final class PasswordCredentials {

    private final String user;
    private final byte[] password;

    public PasswordCredentials(String user, byte[] password) {
        Wire.checkName("user", user);
        if (password == null || password.length == 0 || password.length > ProtocolLimits.MAX_PASSWORD_BYTES) {
            throw new IllegalArgumentException("password must be 1.." + ProtocolLimits.MAX_PASSWORD_BYTES
                    + " bytes");
        }
        this.user = user;
        this.password = password.clone();
    }

    /** The password as UTF-8. */
    public static PasswordCredentials of(String user, String password) {
        return new PasswordCredentials(user, password.getBytes(StandardCharsets.UTF_8));
    }

    public String user() {
        return user;
    }

    /** A copy of the password's bytes. */
    public byte[] password() {
        return password.clone();
    }

    /** Overwrites the password with zeros once it has been checked: a heap dump taken later does not show it. */
    public void wipe() {
        Arrays.fill(password, (byte) 0);
    }

    int passwordLength() {
        return password.length;
    }

    void writeTo(java.nio.ByteBuffer out) {
        Wire.putBytes(out, Wire.utf8(user));
        Wire.putBytes(out, password);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordCredentials c && c.user.equals(user) && Arrays.equals(c.password, password);
    }

    @Override
    public int hashCode() {
        return user.hashCode();
    }

    @Override
    public String toString() {
        return "PasswordCredentials[user=" + user + ", password=<hidden>]";
    }
}
