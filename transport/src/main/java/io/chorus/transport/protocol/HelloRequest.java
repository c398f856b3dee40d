package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;

/**
 * The first frame of every connection: {@code minVersion:u8 maxVersion:u8 role:u8 name:string [auth:u8 ...]}. For
 * a node the name is its node id; for a client, a name for logs. The optional tail says how the client
 * authenticates: absent, by nothing but its TLS certificate (if any); {@code 1}, by password, followed by
 * {@code user:string password:bytes}. No other value is defined, so a body has exactly one encoding. A HELLO without the tail is the version-1 HELLO of earlier
 * releases, byte for byte. Immutable; {@link #toString} hides the password.
 *
 * @param credentials the password credentials, or null for none
 */
public record HelloRequest(int minVersion, int maxVersion, Role role, String name, PasswordCredentials credentials) {

    /** A user name and password follow. */
    public static final int AUTH_PASSWORD = 1;

    public HelloRequest {
        if (minVersion < 1 || maxVersion > 0xFF || minVersion > maxVersion) {
            throw new IllegalArgumentException("versions must satisfy 1 <= min <= max <= 255: " + minVersion + ".."
                    + maxVersion);
        }
        if (role == null) {
            throw new IllegalArgumentException("role must be given");
        }
        Wire.checkName("name", name);
        if (credentials != null && role != Role.CLIENT) {
            throw new IllegalArgumentException("only a client authenticates by password; a node by its certificate");
        }
    }

    public HelloRequest(int minVersion, int maxVersion, Role role, String name) {
        this(minVersion, maxVersion, role, name, null);
    }

    /** A HELLO offering every version this implementation speaks. */
    public static HelloRequest of(Role role, String name) {
        return new HelloRequest(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED, role, name);
    }

    /** This HELLO with {@code credentials} (null: none). */
    public HelloRequest withCredentials(PasswordCredentials credentials) {
        return new HelloRequest(minVersion, maxVersion, role, name, credentials);
    }

    /** The name as the {@code from} of requests on this connection. */
    public NodeId from() {
        return new NodeId(name);
    }

    public byte[] encode() {
        byte[] nameBytes = Wire.utf8(name);
        int size = 3 + Wire.bytesSize(nameBytes.length);
        if (credentials != null) {
            size += 1 + Wire.bytesSize(Wire.utf8(credentials.user()).length)
                    + Wire.bytesSize(credentials.passwordLength());
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) minVersion).put((byte) maxVersion).put((byte) role.wire());
        Wire.putBytes(out, nameBytes);
        if (credentials != null) {
            out.put((byte) AUTH_PASSWORD);
            credentials.writeTo(out);
        }
        return Wire.finish(out);
    }

    public static HelloRequest decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int min = r.u8("minVersion");
        int max = r.u8("maxVersion");
        Role role = Role.fromWire(r.u8("role"));
        String name = r.utf8("name", ProtocolLimits.MAX_NAME_BYTES);
        PasswordCredentials credentials = null;
        if (r.remaining() > 0) {
            int auth = r.u8("auth");
            if (auth == AUTH_PASSWORD) {
                String user = r.utf8("user", ProtocolLimits.MAX_NAME_BYTES);
                byte[] password = r.bytes("password", ProtocolLimits.MAX_PASSWORD_BYTES);
                credentials = Wire.construct("HELLO credentials", () -> new PasswordCredentials(user, password));
            } else {
                throw new MalformedEncodingException("auth " + auth + " is not password (1); without"
                        + " credentials the HELLO ends after its name");
            }
        }
        r.expectEnd("HELLO request");
        PasswordCredentials given = credentials;
        return Wire.construct("HELLO request", () -> new HelloRequest(min, max, role, name, given));
    }

    @Override
    public String toString() {
        return "HelloRequest[versions=" + minVersion + ".." + maxVersion + ", role=" + role + ", name=" + name
                + (credentials == null ? "" : ", user=" + credentials.user() + ", password=<hidden>") + "]";
    }
}
